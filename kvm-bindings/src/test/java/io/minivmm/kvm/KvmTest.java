package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Pointer;
import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.sys.Uapi;
import io.minivmm.kvm.x86.CpuidEntry;
import io.minivmm.kvm.x86.Fpu;
import io.minivmm.kvm.x86.MsrEntry;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.kvm.x86.VcpuEvents;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bindings against the real /dev/kvm: a VM, one memory slot, one vCPU in real mode. */
@RequiresKvm
class KvmTest {
    static final long MEM = 1 << 20;
    Kvm kvm;
    VmFd vm;
    long mem;

    @BeforeEach
    void setUp() {
        kvm = Kvm.open();
        vm = kvm.createVm();
        mem = LibC.mmap(0, MEM, 3, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
        assertNotEquals(-1L, mem);
        vm.setUserMemoryRegion(0, 0, 0, MEM, mem);
    }

    @AfterEach
    void tearDown() {
        vm.close();
        kvm.close();
        LibC.munmap(mem, MEM);
    }

    /** A real-mode vCPU with CS base 0 at {@code rip}, code copied to guest address rip. */
    VcpuFd vcpuAt(int rip, int... code) {
        byte[] b = new byte[code.length];
        for (int i = 0; i < code.length; i++) b[i] = (byte) code[i];
        new Pointer(mem).write(rip, b, 0, b.length);
        VcpuFd v = vm.createVcpu(0);
        Sregs s = v.getSregs();
        v.setSregs(s.toBuilder().cs(s.cs().withBaseSelector(0, 0)).build());
        v.setRegs(Regs.ZERO.with(Regs.Reg.RIP, rip));
        return v;
    }

    @Test
    void systemQueries() {
        assertEquals(12, kvm.apiVersion());
        assertTrue(kvm.has(Cap.USER_MEMORY));
        assertTrue(kvm.vcpuMmapSize() >= Uapi.SIZEOF_KVM_RUN);
        List<CpuidEntry> cpuid = kvm.supportedCpuid();
        CpuidEntry leaf0 = cpuid.stream().filter(e -> e.function() == 0).findFirst().orElseThrow();
        assertTrue(leaf0.eax() >= 1, "max basic leaf");
        int[] msrs = kvm.msrIndexList();
        assertTrue(java.util.Arrays.stream(msrs).anyMatch(i -> i == 0xc0000082), "LSTAR in the MSR list");
    }

    @Test
    void supportedCpuidGrowsItsBufferUntilTheListFits() {
        List<CpuidEntry> full = kvm.supportedCpuid();
        assertTrue(full.size() > 2);
        assertEquals(full, kvm.supportedCpuid(1), "asked with room for 1 entry, doubled on E2BIG: the same list");
    }

    @Test
    void outInAndHlt() {
        // mov al,0x5a; out 0x80,al; in al,0x81; mov bl,al; hlt
        VcpuFd v = vcpuAt(0x1000, 0xb0, 0x5a, 0xe6, 0x80, 0xe4, 0x81, 0x88, 0xc3, 0xf4);
        VcpuExit e1 = v.run();
        VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, e1);
        assertEquals(0x80, out.port());
        assertEquals(1, out.size());
        assertArrayEquals(new byte[] {0x5a}, out.data());

        assertEquals(Uapi.KVM_EXIT_IO, v.runRaw());
        assertEquals(Uapi.KVM_EXIT_IO_IN, v.ioDirection());
        assertEquals(0x81, v.ioPort());
        v.setIoData(0, 0xa7);
        assertInstanceOf(VcpuExit.Hlt.class, v.run());
        assertEquals(0xa7, v.getRegs().rbx() & 0xff);
    }

    @Test
    void mmioWriteAndRead() {
        // mov ax,0xf000; mov ds,ax; mov word [0x10],0xbeef; mov ax,[0x20]; mov [0x0], ... ; hlt
        // DS base 0xf0000: 0xf0010 is inside the 1 MiB slot, so use a segment beyond RAM instead:
        // mov ax,0x2000 => base 0x20000 is RAM. Use linear 0x100000+ via FS? Real mode tops out at
        // 0x10ffef, above our 1 MiB slot: mov ax,0xffff; mov ds,ax; mov word [0x20],0xbeef; mov cx,[0x30]; hlt
        VcpuFd v = vcpuAt(0x1000, 0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xc7, 0x06, 0x20, 0x00, 0xef, 0xbe,
                0x8b, 0x0e, 0x30, 0x00, 0xf4);
        VcpuExit.MmioWrite w = assertInstanceOf(VcpuExit.MmioWrite.class, v.run());
        assertEquals(0xffff0L + 0x20, w.address());
        assertArrayEquals(new byte[] {(byte) 0xef, (byte) 0xbe}, w.data());
        assertEquals(Uapi.KVM_EXIT_MMIO, v.runRaw());
        assertFalse(v.mmioIsWrite());
        assertEquals(0xffff0L + 0x30, v.mmioAddress());
        assertEquals(2, v.mmioLength());
        v.setMmioData(0x1234);
        assertInstanceOf(VcpuExit.Hlt.class, v.run());
        assertEquals(0x1234, v.getRegs().rcx() & 0xffff);
    }

    @Test
    void registersRoundTrip() {
        VcpuFd v = vm.createVcpu(0);
        Regs r = Regs.ZERO.with(Regs.Reg.RAX, 0x1122334455667788L).with(Regs.Reg.R15, -2).with(Regs.Reg.RIP, 0x4000);
        v.setRegs(r);
        assertEquals(r, v.getRegs());
        Sregs s = v.getSregs();
        Sregs s2 = s.toBuilder().cr3(0x9000).cs(s.cs().withBaseSelector(0x10000, 0x1000)).build();
        v.setSregs(s2);
        Sregs back = v.getSregs();
        assertEquals(0x9000, back.cr3());
        assertEquals(0x10000, back.cs().base());
        assertEquals(0x1000, back.cs().selector());
        Fpu f = Fpu.reset();
        v.setFpu(f);
        assertEquals(0x37f, v.getFpu().fcw());
        v.setMsrs(List.of(new MsrEntry(0x174 /* IA32_SYSENTER_CS */, 0x10)));
        assertEquals(List.of(new MsrEntry(0x174, 0x10)), v.getMsrs(0x174));
        assertEquals(Uapi.KVM_MP_STATE_RUNNABLE, v.getMpState());
        VcpuEvents ev = v.getVcpuEvents();
        assertFalse(ev.exceptionInjected());
        List<CpuidEntry> cpuid = kvm.supportedCpuid();
        v.setCpuid2(cpuid);
        assertEquals(cpuid.size(), v.getCpuid2().size());
    }

    @Test
    void lapicAndIrqchip() {
        VmFd vm2 = kvm.createVm();
        try {
            vm2.createIrqchip();
            vm2.createPit2(Uapi.KVM_PIT_SPEAKER_DUMMY);
            VcpuFd v = vm2.createVcpu(0);
            byte[] lapic = v.getLapic();
            assertEquals(1024, lapic.length);
            int version = (lapic[0x30] & 0xff);
            assertTrue(version >= 0x10, "LAPIC version register 0x" + Integer.toHexString(version));
            vm2.irqLine(4, true);
            vm2.irqLine(4, false);
            assertTrue(vm2.getClock() >= 0);
        } finally {
            vm2.close();
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void kickInterruptsARunningGuest() throws Exception {
        VcpuFd v = vcpuAt(0x1000, 0xeb, 0xfe); // jmp $
        VcpuExit[] seen = new VcpuExit[1];
        Thread t = new Thread(() -> {
            v.bindToCurrentThread();
            try {
                seen[0] = v.run();
            } finally {
                v.unbindThread();
            }
        });
        t.start();
        Thread.sleep(100);
        assertTrue(t.isAlive(), "the guest loops forever until kicked");
        v.kick();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertInstanceOf(VcpuExit.Interrupted.class, seen[0]);
        // immediate_exit stays set until cleared: the next run returns at once.
        assertInstanceOf(VcpuExit.Interrupted.class, v.run());
        v.clearImmediateExit();
    }

    @Test
    void errorsNameTheIoctlAndErrno() {
        KvmException e = assertThrows(KvmException.class, () -> vm.setUserMemoryRegion(0, 0, 0x1001, 4096, mem));
        assertEquals("KVM_SET_USER_MEMORY_REGION", e.call());
        assertEquals(22, e.errno());
        assertTrue(e.getMessage().startsWith("KVM_SET_USER_MEMORY_REGION failed: EINVAL (22)"), e.getMessage());
    }

    @Test
    void useAfterCloseIsAnErrorNotACrash() {
        VcpuFd v = vm.createVcpu(0);
        v.close();
        v.close();
        assertThrows(IllegalStateException.class, v::getRegs);
        assertThrows(IllegalStateException.class, v::runRaw);
    }
}
