package io.minivmm.kvm;

/** KVM capabilities (kvm.h {@code KVM_CAP_*}) that minivmm checks with {@code KVM_CHECK_EXTENSION}. */
public enum Cap {
    IRQCHIP(0), HLT(1), USER_MEMORY(3), SET_TSS_ADDR(4), EXT_CPUID(7), NR_VCPUS(9), NR_MEMSLOTS(10), PIT2(33),
    IRQFD(32), IOEVENTFD(36), SET_IDENTITY_MAP_ADDR(37), ADJUST_CLOCK(39), VCPU_EVENTS(41), TSC_CONTROL(60),
    GET_TSC_KHZ(61), MAX_VCPUS(66), SYNC_REGS(74), READONLY_MEM(81), IMMEDIATE_EXIT(136), EXIT_ON_EMULATION_FAILURE(204),
    SET_GUEST_DEBUG(23), DEBUGREGS(50), XSAVE(55), XCRS(56), KVMCLOCK_CTRL(76), GET_MSR_FEATURES(153),
    MANUAL_DIRTY_LOG_PROTECT2(168), XSAVE2(208), X86_SMM(117), IRQFD_RESAMPLE(82);

    /** The C value of {@code KVM_CAP_*}. */
    public final int number;

    Cap(int number) { this.number = number; }
}
