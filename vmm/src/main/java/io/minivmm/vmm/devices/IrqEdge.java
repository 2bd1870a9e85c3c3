package io.minivmm.vmm.devices;

/**
 * An edge-triggered interrupt a device raises from any thread (on KVM, an irqfd: one eventfd
 * write, no ioctl and no lock shared with the vCPUs).
 */
public interface IrqEdge extends AutoCloseable {
    /** Raises one edge. */
    void pulse();

    @Override
    default void close() { }

    /** An edge made of a level line driven high then low (KVM_IRQ_LINE, or a test's recorder). */
    static IrqEdge of(IrqLine line) {
        return new IrqEdge() {
            @Override
            public synchronized void pulse() {
                line.set(true);
                line.set(false);
            }
        };
    }
}
