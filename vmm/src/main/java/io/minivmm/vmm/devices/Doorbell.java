package io.minivmm.vmm.devices;

/**
 * What wakes a device's worker thread: a guest queue notification (on KVM, an ioeventfd, so the
 * kick never leaves the kernel as a VM exit) or the VMM itself ({@link #ring()}: host input, the
 * MMIO exit path when no ioeventfd is registered, shutdown).
 */
public interface Doorbell extends AutoCloseable {
    /** Wakes the waiter (or the next {@link #await()}). Any thread. */
    void ring();

    /** Blocks until rung since the previous await. */
    void await() throws InterruptedException;

    /** Releases the doorbell; no thread may be waiting in {@link #await()} any more. */
    @Override
    void close();

    /** A doorbell in the JVM only: monitor wait/notify. */
    static Doorbell inProcess() {
        return new Doorbell() {
            private boolean rung;

            @Override
            public synchronized void ring() {
                rung = true;
                notifyAll();
            }

            @Override
            public synchronized void await() throws InterruptedException {
                while (!rung) wait();
                rung = false;
            }

            @Override
            public void close() { }
        };
    }
}
