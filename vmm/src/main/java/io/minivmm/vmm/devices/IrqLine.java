package io.minivmm.vmm.devices;

/**
 * A device's interrupt output pin. The VMM adapter implements it with {@code KVM_IRQ_LINE}.
 *
 * <p>Devices call {@link #set} only when the level changes, while holding their own lock (so
 * that level changes from different threads cannot be reordered); an implementation must not
 * call back into the device.
 */
@FunctionalInterface
public interface IrqLine {
    /** Drives the line to {@code level} (true = asserted). */
    void set(boolean level);

    /** A line connected to nothing. */
    IrqLine NONE = level -> { };
}
