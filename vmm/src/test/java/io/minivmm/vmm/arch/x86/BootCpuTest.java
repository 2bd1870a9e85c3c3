package io.minivmm.vmm.arch.x86;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.x86.DescriptorTable;
import io.minivmm.kvm.x86.Segment;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.paging.ArrayPhysMemory;
import org.junit.jupiter.api.Test;

/** The pure step between KVM_GET_SREGS and KVM_SET_SREGS, checked by reading the GDT back. No KVM. */
class BootCpuTest {
    static final Segment RESET_SEG = new Segment(0xffff0000L, 0xffff, 0xf000, 0xb, true, 0, false, true, false, false,
            false, false);

    static Sregs resetState() {
        Segment data = new Segment(0, 0xffff, 0, 3, true, 0, false, true, false, false, false, false);
        return new Sregs(RESET_SEG, data, data, data, data, data,
                new Segment(0, 0xffff, 0, 0xb, true, 0, false, false, false, false, false, false),
                new Segment(0, 0xffff, 0, 2, true, 0, false, false, false, false, false, false),
                new DescriptorTable(0, 0xffff), new DescriptorTable(0, 0xffff), 0x60000010L, 0, 0, 0, 0, 0,
                0xfee00900L, new long[4]);
    }

    /** What the CPU would load for {@code seg}'s selector from the GDT in memory. */
    static Segment loadFromGdt(ArrayPhysMemory mem, Sregs s, Segment seg) {
        int sel = seg.selector();
        assertTrue(sel + 7 <= s.gdt().limit(), "selector 0x" + Integer.toHexString(sel) + " inside the GDT limit");
        return Gdt.decode(mem.readU64(s.gdt().base() + sel), sel);
    }

    @Test
    void longModeSegmentsMatchTheGdtInMemory() {
        ArrayPhysMemory mem = new ArrayPhysMemory(0, 0x20000);
        BootCpu.writeTables(mem, CpuMode.LONG);
        Sregs s = BootCpu.configure(resetState(), CpuMode.LONG, 0x2000, true, 0);
        assertEquals(s.cs(), loadFromGdt(mem, s, s.cs()));
        assertEquals(s.ds(), loadFromGdt(mem, s, s.ds()));
        assertEquals(s.ss(), loadFromGdt(mem, s, s.ss()));
        assertTrue(s.cs().l() && !s.cs().db(), "64-bit code: L=1, D=0");
        assertEquals(0x2000, s.cr3());
        assertEquals(X86.CR0_PG | X86.CR0_PE, s.cr0() & (X86.CR0_PG | X86.CR0_PE));
        assertEquals(X86.EFER_LME | X86.EFER_LMA | X86.EFER_NXE, s.efer());
        assertTrue((s.cr4() & X86.CR4_PAE) != 0);
        // The TSS descriptor is a 16-byte system descriptor in long mode, busy 64-bit TSS.
        Segment tr = Gdt.decode(mem.readU64(s.gdt().base() + s.tr().selector()), s.tr().selector());
        assertEquals(BootLayout.TSS, tr.base());
        assertEquals(0xb, tr.type());
        assertEquals(0, mem.readU64(s.gdt().base() + s.tr().selector() + 8), "upper half of the TSS descriptor");
    }

    @Test
    void protectedModeIsFlat32WithPagingOff() {
        ArrayPhysMemory mem = new ArrayPhysMemory(0, 0x20000);
        BootCpu.writeTables(mem, CpuMode.PROTECTED);
        Sregs s = BootCpu.configure(resetState(), CpuMode.PROTECTED, 0, true, 0);
        Segment cs = loadFromGdt(mem, s, s.cs());
        assertEquals(s.cs(), cs);
        assertTrue(cs.db() && !cs.l(), "32-bit code");
        assertEquals(0, cs.base());
        assertEquals(0xffffffffL, cs.limit());
        assertEquals(s.ds(), loadFromGdt(mem, s, s.ds()));
        assertEquals(X86.CR0_PE, s.cr0() & (X86.CR0_PE | X86.CR0_PG), "PE on, PG off");
        assertEquals(0, s.efer());
        assertEquals(BootLayout.BOOT_CS, s.cs().selector(), "Multiboot/PVH/Linux want __BOOT_CS");
    }

    @Test
    void realModeSegmentsComeFromTheEntrySegment() {
        Sregs s = BootCpu.configure(resetState(), CpuMode.REAL, 0, false, 0x07c0);
        assertEquals(0x7c00, s.cs().base());
        assertEquals(0x07c0, s.cs().selector());
        assertEquals(0x7c00, s.ds().base());
        assertEquals(0, s.cr0() & X86.CR0_PE);
    }

    @Test
    void descriptorEncodingRoundTrips() {
        for (Segment seg : new Segment[] {Gdt.CODE64, Gdt.CODE32, Gdt.DATA}) {
            assertEquals(seg, Gdt.decode(Gdt.encode(seg), seg.selector()));
        }
        assertEquals(0x00af9b000000ffffL, Gdt.encode(Gdt.CODE64), "the canonical 64-bit code descriptor");
        assertEquals(0x00cf93000000ffffL, Gdt.encode(Gdt.DATA));
    }
}
