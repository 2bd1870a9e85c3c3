package io.minivmm.vmm.devices;

/**
 * Machine-wide effects a device may request; the run loop implements them (stop the vCPUs and
 * leave with the given process status, or treat the reset as the end of the run).
 *
 * <p>Called on the vCPU thread that performed the access; implementations must return promptly
 * (set a flag, kick the vCPUs) rather than block.
 */
public interface MachineControl {
    /** The guest asked to end the run with process exit status {@code status} (0..255). */
    void guestExit(int status);

    /** The guest asked to reset the machine (i8042 pulse-reset, port 0xcf9). */
    void guestReset();
}
