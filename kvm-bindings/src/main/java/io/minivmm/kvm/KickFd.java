package io.minivmm.kvm;

import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.sys.NativeBuffer;

/**
 * A minimal eventfd(2) for the virtio fast paths: KVM signals it (ioeventfd) or waits on it
 * (irqfd), a device thread blocks in {@link #await()} and anyone can {@link #signal()} it.
 * Kept deliberately small and separate from any general eventfd class: one counter, blocking
 * reads, writes of 1.
 *
 * <p>Thread-safe: each call uses its own 8-byte native buffer (allocated once per direction).
 * {@link #close()} must come after every thread blocked in {@link #await()} was woken and left.
 */
public final class KickFd implements AutoCloseable {
    private int fd;
    private final NativeBuffer readBuf = new NativeBuffer(8);
    private final NativeBuffer writeBuf = new NativeBuffer(8);

    private KickFd(int fd) { this.fd = fd; }

    /** A new blocking, close-on-exec eventfd with counter 0. */
    public static KickFd create() {
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        if (fd < 0) throw new KvmException("eventfd", LibC.errno());
        return new KickFd(fd);
    }

    /** The raw fd, for KVM_IOEVENTFD / KVM_IRQFD. */
    public int fd() { return fd; }

    /** Adds 1 to the counter (wakes a waiter; with irqfd, raises the interrupt). */
    public void signal() {
        synchronized (writeBuf) {
            writeBuf.buffer().putLong(0, 1);
            // NATIVE: writeBuf holds the 8-byte counter increment eventfd expects.
            LibC.write(fd, writeBuf.address(), 8);
        }
    }

    /**
     * Blocks until the counter is non-zero, then returns it and resets it to 0; returns -1 if the
     * read failed (e.g. interrupted by a signal).
     */
    public long await() {
        synchronized (readBuf) {
            // NATIVE: readBuf receives the 8-byte counter.
            long n = LibC.read(fd, readBuf.address(), 8);
            return n == 8 ? readBuf.buffer().getLong(0) : -1;
        }
    }

    /** Closes the fd. Idempotent. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
            readBuf.close();
            writeBuf.close();
        }
    }
}
