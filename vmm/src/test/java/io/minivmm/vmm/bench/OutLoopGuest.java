package io.minivmm.vmm.bench;

import io.minivmm.kvm.Kvm;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.VmFd;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.memory.GuestMemory;

/**
 * Benchmark support (not a test): the guest of {@code native-stubs/src/bench/c/c_reference.c},
 * built the same way through minivmm's own layers. Real mode at 0x1000, {@code out 0x80, al;
 * jmp .-2} ({@code e6 80 eb fc}), RAM in one lazily faulted slot at 0, one vCPU. Every
 * {@code KVM_RUN} of the vCPU returns one {@code KVM_EXIT_IO} (out, port 0x80, 1 byte).
 *
 * <p>{@link #create} records a timestamp after each step in {@link #phases} so the creation
 * benchmark can say where the time goes.
 */
final class OutLoopGuest implements AutoCloseable {
    static final int PORT = 0x80;
    static final long CODE_ADDR = 0x1000;
    /** out 0x80, al ; jmp back to the out (the bytes of c_reference.c). */
    static final byte[] CODE = {(byte) 0xe6, (byte) 0x80, (byte) 0xeb, (byte) 0xfc};
    static final String[] PHASES = {"Kvm.open", "createVm", "GuestMemory.create", "write code", "registerSlots",
        "createVcpu", "get/set sregs+regs", "first runRaw"};

    final Kvm kvm;
    final VmFd vm;
    final GuestMemory mem;
    final VcpuFd vcpu;
    /** Exit reason of the first KVM_RUN. */
    final int firstExit;
    /** nanoTime at the start, then after each of {@link #PHASES}. */
    final long[] phases;

    private OutLoopGuest(Kvm kvm, VmFd vm, GuestMemory mem, VcpuFd vcpu, int firstExit, long[] phases) {
        this.kvm = kvm;
        this.vm = vm;
        this.mem = mem;
        this.vcpu = vcpu;
        this.firstExit = firstExit;
        this.phases = phases;
    }

    /** Creates the VM and runs it to its first exit (the {@code out}); steps as in c_reference.c. */
    static OutLoopGuest create(long memBytes) {
        long[] t = new long[PHASES.length + 1];
        int k = 0;
        t[k++] = System.nanoTime();
        Kvm kvm = Kvm.open();
        t[k++] = System.nanoTime();
        VmFd vm = kvm.createVm();
        t[k++] = System.nanoTime();
        GuestMemory mem = GuestMemory.create(memBytes, GuestMemory.Backing.LAZY, false);
        t[k++] = System.nanoTime();
        mem.write(CODE_ADDR, CODE);
        t[k++] = System.nanoTime();
        mem.registerSlots(vm);
        t[k++] = System.nanoTime();
        VcpuFd vcpu = vm.createVcpu(0);
        t[k++] = System.nanoTime();
        Sregs s = vcpu.getSregs();
        vcpu.setSregs(s.toBuilder().cs(s.cs().withBaseSelector(0, 0)).build());
        vcpu.setRegs(Regs.ZERO.with(Regs.Reg.RIP, CODE_ADDR));
        t[k++] = System.nanoTime();
        int first = vcpu.runRaw();
        t[k] = System.nanoTime();
        return new OutLoopGuest(kvm, vm, mem, vcpu, first, t);
    }

    long createToFirstExitNs() { return phases[phases.length - 1] - phases[0]; }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        mem.close();
        kvm.close();
    }
}
