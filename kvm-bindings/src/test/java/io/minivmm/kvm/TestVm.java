package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.sun.jna.Pointer;
import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;

/**
 * A test VM: one anonymous RAM slot at guest-physical 0, optionally an in-kernel irqchip and PIT,
 * real-mode vCPUs with CS base 0. Guest code is given as raw bytes (the tests spell out the
 * instructions in comments).
 */
final class TestVm implements AutoCloseable {
    final Kvm kvm;
    final VmFd vm;
    final long mem;
    final long size;

    TestVm(long size, int slotFlags, boolean irqchip) {
        this.size = size;
        kvm = Kvm.open();
        vm = kvm.createVm();
        // NATIVE (test): anonymous private mapping of size bytes, unmapped in close().
        mem = LibC.mmap(0, size, 3, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
        assertNotEquals(-1L, mem);
        vm.setTssAddr(0xfffbd000L);
        if (irqchip) {
            vm.createIrqchip();
            vm.createPit2(1);
        }
        vm.setUserMemoryRegion(0, slotFlags, 0, size, mem);
    }

    TestVm() { this(1 << 20, 0, false); }

    void write(long gpa, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        write(gpa, b);
    }

    void write(long gpa, byte[] b) {
        if (gpa < 0 || gpa > size - b.length) throw new IndexOutOfBoundsException("gpa " + gpa);
        new Pointer(mem).write(gpa, b, 0, b.length);
    }

    byte[] read(long gpa, int len) {
        if (gpa < 0 || gpa > size - len) throw new IndexOutOfBoundsException("gpa " + gpa);
        return new Pointer(mem).getByteArray(gpa, len);
    }

    int readU16(long gpa) {
        byte[] b = read(gpa, 2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    /** A real-mode vCPU {@code id} with CS base 0, at {@code rip}, with the code copied there. */
    VcpuFd vcpuAt(int id, int rip, int... code) {
        write(rip, code);
        VcpuFd v = vm.createVcpu(id);
        Sregs s = v.getSregs();
        v.setSregs(s.toBuilder().cs(s.cs().withBaseSelector(0, 0)).build());
        v.setRegs(Regs.ZERO.with(Regs.Reg.RIP, rip));
        return v;
    }

    void putQ(long gpa, long value) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (value >>> (8 * i));
        write(gpa, b);
    }

    /**
     * A 64-bit vCPU at {@code rip}: identity-mapped first 2 MiB (one large page; tables at
     * 0x70000-0x72fff), flat CS/DS, the code copied to {@code rip}.
     */
    VcpuFd longModeVcpu(int id, int rip, int... code) {
        putQ(0x70000, 0x71000 | 3);
        putQ(0x71000, 0x72000 | 3);
        putQ(0x72000, 0x83);
        write(rip, code);
        VcpuFd v = vm.createVcpu(id);
        io.minivmm.kvm.x86.Segment cs = new io.minivmm.kvm.x86.Segment(0, 0xffffffffL, 8, 0xb, true, 0, false, true,
                true, true, false, false);
        io.minivmm.kvm.x86.Segment ds = new io.minivmm.kvm.x86.Segment(0, 0xffffffffL, 0x10, 0x3, true, 0, true, true,
                false, true, false, false);
        v.setSregs(v.getSregs().toBuilder().cs(cs).dataSegments(ds).cr3(0x70000).cr4(1 << 5).efer(0x500)
                .cr0(0x80000011L).build());
        v.setRegs(Regs.ZERO.with(Regs.Reg.RIP, rip).with(Regs.Reg.RSP, 0x8000));
        return v;
    }

    @Override
    public void close() {
        vm.close();
        kvm.close();
        LibC.munmap(mem, size);
    }
}
