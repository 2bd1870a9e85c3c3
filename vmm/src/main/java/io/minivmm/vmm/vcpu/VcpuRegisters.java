package io.minivmm.vmm.vcpu;

import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Segment;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.devices.CpuRegisters;

/**
 * {@link CpuRegisters} over a stopped vCPU: KVM_GET_REGS / KVM_GET_SREGS on first use, and
 * KVM_SET_REGS / KVM_SET_SREGS in {@link #commit} only for what was changed. Used on the vCPU's
 * own thread while it is out of KVM_RUN (a trap port exit).
 */
final class VcpuRegisters implements CpuRegisters {
    private final VcpuFd vcpu;
    private Regs regs;
    private Sregs sregs;
    private boolean regsDirty, sregsDirty;

    VcpuRegisters(VcpuFd vcpu) { this.vcpu = vcpu; }

    private Regs regs() {
        if (regs == null) regs = vcpu.getRegs();
        return regs;
    }

    private Sregs sregs() {
        if (sregs == null) sregs = vcpu.getSregs();
        return sregs;
    }

    private static Regs.Reg map(Reg r) {
        return switch (r) {
            case EAX -> Regs.Reg.RAX;
            case ECX -> Regs.Reg.RCX;
            case EDX -> Regs.Reg.RDX;
            case EBX -> Regs.Reg.RBX;
            case ESP -> Regs.Reg.RSP;
            case EBP -> Regs.Reg.RBP;
            case ESI -> Regs.Reg.RSI;
            case EDI -> Regs.Reg.RDI;
            case EIP -> Regs.Reg.RIP;
            case EFLAGS -> Regs.Reg.RFLAGS;
        };
    }

    private Segment segment(Seg s) {
        Sregs x = sregs();
        return switch (s) {
            case ES -> x.es();
            case CS -> x.cs();
            case SS -> x.ss();
            case DS -> x.ds();
            case FS -> x.fs();
            case GS -> x.gs();
        };
    }

    @Override
    public long get(Reg r) { return regs().get(map(r)) & 0xffff_ffffL; }

    @Override
    public void set(Reg r, long value) {
        regs = regs().with(map(r), value & 0xffff_ffffL);
        regsDirty = true;
    }

    @Override
    public int selector(Seg s) { return segment(s).selector(); }

    @Override
    public long base(Seg s) { return segment(s).base(); }

    @Override
    public void loadRealSegment(Seg s, int sel) {
        Segment seg = segment(s).withBaseSelector((long) (sel & 0xffff) << 4, sel & 0xffff);
        Sregs.Builder b = sregs().toBuilder();
        switch (s) {
            case ES -> b.es(seg);
            case CS -> b.cs(seg);
            case SS -> b.ss(seg);
            case DS -> b.ds(seg);
            case FS -> b.fs(seg);
            case GS -> b.gs(seg);
        }
        sregs = b.build();
        sregsDirty = true;
    }

    /** Writes back what was changed. */
    void commit() {
        if (sregsDirty) vcpu.setSregs(sregs);
        if (regsDirty) vcpu.setRegs(regs);
    }
}
