package io.minivmm.vmm.arch.x86;

import static io.minivmm.vmm.arch.x86.X86.*;

import io.minivmm.kvm.x86.DescriptorTable;
import io.minivmm.kvm.x86.Segment;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.memory.PhysMemory;

/**
 * The pure steps between KVM_GET_SREGS and KVM_SET_SREGS that put a vCPU into its boot mode,
 * and the GDT/TSS/IDT they rely on. Testable without KVM: {@link #writeTables} writes into any
 * {@link PhysMemory} and the GDT can be read back and decoded.
 * <pre>{@code
 * BootCpu.writeTables(memory, CpuMode.LONG);
 * vcpu.setSregs(BootCpu.configure(vcpu.getSregs(), CpuMode.LONG, pml4, nx, 0));
 * }</pre>
 */
public final class BootCpu {
    private BootCpu() {}

    /** Writes the boot GDT (code segment matching {@code mode}), a zeroed TSS and an empty IDT at the default vCPU area. */
    public static void writeTables(PhysMemory mem, CpuMode mode) { writeTables(mem, mode, BootLayout.AREA); }

    /**
     * The same in the vCPU area at {@code area} (the loader's {@code BootPlan.vcpuArea()}): GDT,
     * TSS and IDT at the offsets {@link BootLayout} gives from its start.
     */
    public static void writeTables(PhysMemory mem, CpuMode mode, long area) {
        long gdt = BootLayout.gdt(area);
        Segment code = mode == CpuMode.LONG ? Gdt.CODE64 : Gdt.CODE32;
        // The 32-bit TSS keeps base 0 (the PVH ABI asks for it); the 64-bit one points into the area.
        Segment tss = mode == CpuMode.LONG ? Gdt.TSS.withBaseSelector(BootLayout.tss(area), BootLayout.BOOT_TSS) : Gdt.TSS32;
        mem.writeU64(gdt, 0);
        mem.writeU64(gdt + 0x08, 0);
        mem.writeU64(gdt + BootLayout.BOOT_CS, Gdt.encode(code));
        mem.writeU64(gdt + BootLayout.BOOT_DS, Gdt.encode(Gdt.DATA));
        // A system descriptor is 16 bytes in long mode: base bits 32..63 in the second quadword.
        mem.writeU64(gdt + BootLayout.BOOT_TSS, Gdt.encode(tss));
        mem.writeU64(gdt + BootLayout.BOOT_TSS + 8, 0);
        mem.fill(BootLayout.tss(area), 104, (byte) 0);
        mem.fill(BootLayout.idt(area), 16, (byte) 0);
    }

    /** Limit of the boot GDT: five 8-byte slots, the TSS taking two. */
    public static final int GDT_LIMIT = BootLayout.BOOT_TSS + 16 - 1;

    /**
     * The special registers for entry in {@code mode}. {@code cr3} is the PML4 (long mode only),
     * {@code nx} sets EFER.NXE, {@code realSegment} is CS for real mode (IP is set in the regs).
     */
    public static Sregs configure(Sregs s, CpuMode mode, long cr3, boolean nx, int realSegment) {
        return configure(s, mode, cr3, nx, realSegment, BootLayout.AREA);
    }

    /** As above, with the GDT, TSS and IDT in the vCPU area at {@code area}. */
    public static Sregs configure(Sregs s, CpuMode mode, long cr3, boolean nx, int realSegment, long area) {
        Sregs.Builder b = s.toBuilder();
        DescriptorTable gdt = new DescriptorTable(BootLayout.gdt(area), GDT_LIMIT);
        DescriptorTable idt = new DescriptorTable(BootLayout.idt(area), 0);
        switch (mode) {
            case REAL -> {
                Segment cs = s.cs().withBaseSelector((long) realSegment << 4, realSegment);
                Segment ds = s.ds().withBaseSelector((long) realSegment << 4, realSegment);
                b.cs(cs).dataSegments(ds).cr0(s.cr0() & ~(CR0_PE | CR0_PG)).cr4(0).efer(0);
            }
            case PROTECTED -> b.cs(Gdt.CODE32).dataSegments(Gdt.DATA).tr(Gdt.TSS32).gdt(gdt).idt(idt)
                    .cr0(CR0_PE | CR0_ET).cr4(0).efer(0).cr3(0);
            case LONG -> b.cs(Gdt.CODE64).dataSegments(Gdt.DATA)
                    .tr(Gdt.TSS.withBaseSelector(BootLayout.tss(area), BootLayout.BOOT_TSS)).gdt(gdt).idt(idt)
                    .cr0(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG)
                    .cr4(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT).cr3(cr3)
                    .efer(EFER_LME | EFER_LMA | (nx ? EFER_NXE : 0));
        }
        return b.build();
    }
}
