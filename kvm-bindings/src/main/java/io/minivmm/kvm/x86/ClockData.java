package io.minivmm.kvm.x86;

/**
 * The VM's kvmclock ({@code struct kvm_clock_data}): the guest's clock in ns, and with
 * {@link #REALTIME}/{@link #HOST_TSC} in {@code flags}, the host's wall time and TSC at the same
 * instant.
 * <pre>{@code
 * ClockData c = vm.getClockData();
 * restored.setClockData(new ClockData(c.clock(), 0, 0, 0));   // continue from the saved value
 * }</pre>
 * On KVM_SET_CLOCK, {@link #REALTIME} asks KVM to add the wall time elapsed since {@code realtime}
 * (the guest clock then jumps forward by the time the snapshot spent on disk); without it the
 * clock continues from {@code clock}.
 */
public record ClockData(long clock, int flags, long realtime, long hostTsc) {
    /** kvm.h KVM_CLOCK_TSC_STABLE: the host reports a stable TSC (a master clock is in use). */
    public static final int TSC_STABLE = 2;
    /** kvm.h KVM_CLOCK_REALTIME: {@code realtime} is valid. */
    public static final int REALTIME = 4;
    /** kvm.h KVM_CLOCK_HOST_TSC: {@code hostTsc} is valid. */
    public static final int HOST_TSC = 8;

    /** Just the clock value, no flags: what a restore sets to continue without a jump. */
    public static ClockData at(long clockNs) { return new ClockData(clockNs, 0, 0, 0); }
}
