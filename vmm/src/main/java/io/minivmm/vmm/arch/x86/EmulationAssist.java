package io.minivmm.vmm.arch.x86;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.VcpuEvents;
import io.minivmm.vmm.vcpu.VcpuRunner;

/**
 * Completes the instructions this host's KVM emulator refuses at CPL0, where doing so is safe.
 * On nested KVM of the kind minivmm's CI runs on, guest kernel code is emulated instruction by
 * instruction and the emulator fails on {@code int3} (KVM_EXIT_INTERNAL_ERROR, suberror 1, with
 * the instruction bytes). Linux executes one in every boot ({@code int3_selftest()}).
 *
 * <p>The handled set, decided from the instruction bytes KVM reports:
 * <ul>
 *   <li>{@code cc} (int3): RIP advances past it and #BP (vector 3) is injected, exactly what the
 *       CPU would have done: #BP is a trap, its handler sees RIP after the instruction.</li>
 * </ul>
 * Anything else is left to the caller, which reports a KVM internal error with the bytes.
 */
public final class EmulationAssist implements VcpuRunner.EmulationFailureHandler {
    /** #BP. */
    public static final int VECTOR_BP = 3;
    private long handled;

    /** Decides from the bytes alone whether this assist completes the instruction (pure, testable). */
    public static boolean canHandle(byte[] insn) {
        return insn.length >= 1 && (insn[0] & 0xff) == 0xcc;
    }

    @Override
    public boolean handle(VcpuFd vcpu, VcpuExit.InternalError error) {
        byte[] insn = error.instructionBytes();
        if (!canHandle(insn)) return false;
        Regs r = vcpu.getRegs();
        vcpu.setRegs(r.with(Regs.Reg.RIP, r.rip() + 1));
        VcpuEvents ev = vcpu.getVcpuEvents();
        vcpu.setVcpuEvents(ev.withException(VECTOR_BP, false, 0));
        handled++;
        return true;
    }

    /** How many instructions were completed. */
    public long handled() { return handled; }
}
