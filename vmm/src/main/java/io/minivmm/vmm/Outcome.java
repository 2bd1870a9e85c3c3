package io.minivmm.vmm;

/** How a run ended, and the process exit status each outcome maps to (CLI contract). */
public enum Outcome {
    /** The guest wrote to the debug-exit port; the status comes from the value. */
    GUEST_EXIT(-1),
    /** The guest reset the machine (i8042 0xFE, 0xcf9, KVM system-event reset). */
    RESET(0),
    /** {@code --expect} matched the serial output. */
    EXPECT_MATCHED(0),
    /** {@code --fail-on} matched the serial output. */
    FAIL_MATCHED(1),
    /** The guest powered off through a KVM system event. */
    POWER_OFF(0),
    /** {@code --timeout} elapsed. */
    TIMEOUT(124),
    /**
     * The guest kernel panicked: Linux printed {@code Kernel panic - not syncing} on the console,
     * or the guest wrote PANICKED to the pvpanic port 0x505. Whatever the guest does next (Linux
     * with {@code panic=-1} resets at once), the run ends with this outcome and status 123.
     */
    GUEST_PANIC(123),
    /** KVM_EXIT_SHUTDOWN: triple fault. */
    TRIPLE_FAULT(125),
    /** KVM internal error, failed VM entry, unhandled exit or a VMM bug. */
    INTERNAL_ERROR(70),
    /** {@link Vm#stop()} was called. */
    STOPPED(0),
    /** The attached gdb killed the run ({@code kill}, packet {@code k}): 128 + SIGKILL, as a killed process. */
    GDB_KILLED(137);

    private final int status;

    Outcome(int status) { this.status = status; }

    /** The fixed exit status of this outcome (GUEST_EXIT has none: it carries the guest's). */
    public int defaultStatus() { return status; }
}
