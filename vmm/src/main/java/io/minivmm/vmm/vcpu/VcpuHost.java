package io.minivmm.vmm.vcpu;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;

/** What a vCPU's run loop reports to the machine it belongs to. Called on the vCPU thread. */
public interface VcpuHost {
    /** True once the machine is stopping: the loop returns at its next exit. */
    boolean stopping();

    /**
     * An exit the loop cannot handle: triple fault ({@link VcpuExit.Shutdown}), failed entry,
     * internal error, unknown. The vCPU is still intact (its registers can be read) during the call.
     */
    void fatal(VcpuFd vcpu, VcpuExit exit, ExitLog log);

    /** KVM_EXIT_SYSTEM_EVENT (type {@code KVM_SYSTEM_EVENT_*}). */
    void systemEvent(VcpuFd vcpu, int type);
}
