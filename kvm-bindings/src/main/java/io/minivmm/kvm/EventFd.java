package io.minivmm.kvm;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.sys.NativeBuffer;
import java.nio.ByteBuffer;

/**
 * A Linux eventfd: a 64-bit counter the kernel (an ioeventfd, the target of an irqfd) or another
 * thread adds to, and a reader drains. What a virtio queue notification and interrupt travel on
 * without a trip through the VMM's exit path.
 * <pre>{@code
 * try (EventFd kick = EventFd.create(); EventFd stop = EventFd.create();
 *      EventFd.Poller poller = new EventFd.Poller(kick, stop)) {
 *     vm.ioeventfd(kick, notifyAddress, 4, false, null, false);
 *     // device thread:
 *     while (true) {
 *         int ready = poller.poll(-1);            // blocks; bit i = fds[i] readable
 *         if ((ready & 2) != 0) break;            // stop.signal() from the shutdown path
 *         if ((ready & 1) != 0) { kick.drain(); processQueue(); }
 *     }
 * }
 * }</pre>
 * The fd is non-blocking ({@code EFD_NONBLOCK}): {@link #read()} blocks by polling, so a thread
 * waiting in it can be woken for shutdown through a {@link Poller} with a stop eventfd, never by
 * closing the fd under it. Close an EventFd only after every thread using it has stopped, and after
 * the ioeventfd/irqfd that names it is deassigned (KVM keeps its own reference until then).
 */
public final class EventFd implements AutoCloseable {
    private int fd;
    private final NativeBuffer readBuf = new NativeBuffer(8);
    private final NativeBuffer writeBuf = new NativeBuffer(8);
    private final NativeBuffer pollBuf = new NativeBuffer(LibC.SIZEOF_POLLFD);

    private EventFd(int fd) { this.fd = fd; }

    /** eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK). */
    public static EventFd create() {
        // NATIVE: no pointers; the fd is owned by the EventFd from here on.
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0) throw new KvmException("eventfd", LibC.errno());
        return new EventFd(fd);
    }

    /** The fd number, for KVM_IOEVENTFD/KVM_IRQFD. */
    public int fd() {
        int f = fd;
        if (f < 0) throw new IllegalStateException("EventFd is closed");
        return f;
    }

    /** Adds {@code value} (at least 1) to the counter. A counter already at its maximum stays signalled. */
    public void write(long value) {
        if (value <= 0) throw new IllegalArgumentException("eventfd add " + value);
        synchronized (writeBuf) {
            int f = fd(); // before the buffer: after close() it is freed memory
            writeBuf.buffer().putLong(0, value);
            // NATIVE: writeBuf holds 8 bytes, the size an eventfd write takes.
            long r = LibC.write(f, writeBuf.address(), 8);
            if (r < 0) {
                int e = LibC.errno();
                if (e == Errno.EAGAIN) return; // counter would overflow: it is signalled already
                throw new KvmException("write(eventfd)", e);
            }
        }
    }

    /** {@code write(1)}. */
    public void signal() { write(1); }

    /** Reads and resets the counter without blocking: 0 when it was not signalled. */
    public long tryRead() {
        synchronized (readBuf) {
            // NATIVE: readBuf has the 8 bytes an eventfd read needs.
            long r = LibC.read(fd(), readBuf.address(), 8);
            if (r < 0) {
                int e = LibC.errno();
                if (e == Errno.EAGAIN || e == Errno.EINTR) return 0;
                throw new KvmException("read(eventfd)", e);
            }
            return readBuf.buffer().getLong(0);
        }
    }

    /** Same as {@link #tryRead()}; reads as "consume whatever is pending". */
    public long drain() { return tryRead(); }

    /**
     * Blocks until the counter is non-zero, then reads and resets it. For a wait that must also
     * end on shutdown, use a {@link Poller} with a stop eventfd instead.
     */
    public long read() {
        while (true) {
            long v = tryRead();
            if (v != 0) return v;
            synchronized (pollBuf) {
                ByteBuffer b = pollBuf.cleared(LibC.SIZEOF_POLLFD);
                b.putInt(LibC.POLLFD_FD, fd()).putShort(LibC.POLLFD_EVENTS, LibC.POLLIN);
                // NATIVE: pollBuf holds one struct pollfd.
                if (LibC.poll(pollBuf.address(), 1, -1) < 0 && LibC.errno() != Errno.EINTR) {
                    throw new KvmException("poll(eventfd)", LibC.errno());
                }
            }
        }
    }

    /** Closes the fd. Idempotent. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
        synchronized (readBuf) {
            readBuf.close();
        }
        synchronized (writeBuf) {
            writeBuf.close();
        }
        synchronized (pollBuf) {
            pollBuf.close();
        }
    }

    @Override
    public String toString() { return "EventFd[" + fd + "]"; }

    /**
     * Waits for any of up to 31 eventfds (a device thread's queue kicks plus a stop fd), with its own
     * pollfd array so that the wait allocates nothing. Owned by one thread.
     */
    public static final class Poller implements AutoCloseable {
        private final EventFd[] fds;
        private final NativeBuffer pollfds;

        public Poller(EventFd... fds) {
            if (fds.length == 0 || fds.length > 31) throw new IllegalArgumentException(fds.length + " eventfds (1-31)");
            this.fds = fds.clone();
            this.pollfds = new NativeBuffer(fds.length * LibC.SIZEOF_POLLFD);
        }

        /**
         * poll(2) for readability: returns a bit mask, bit {@code i} set when {@code fds[i]} is
         * signalled (not yet read); 0 on timeout. {@code timeoutMs} -1 waits forever. A signal
         * interrupting the wait (EINTR) makes it wait again.
         */
        public int poll(int timeoutMs) {
            ByteBuffer b = pollfds.cleared(fds.length * LibC.SIZEOF_POLLFD);
            for (int i = 0; i < fds.length; i++) {
                int o = i * LibC.SIZEOF_POLLFD;
                b.putInt(o + LibC.POLLFD_FD, fds[i].fd()).putShort(o + LibC.POLLFD_EVENTS, LibC.POLLIN);
            }
            int r;
            do {
                // NATIVE: pollfds holds fds.length struct pollfd entries, filled above.
                r = LibC.poll(pollfds.address(), fds.length, timeoutMs);
            } while (r < 0 && LibC.errno() == Errno.EINTR);
            if (r < 0) throw new KvmException("poll", LibC.errno());
            int mask = 0;
            for (int i = 0; i < fds.length; i++) {
                short rev = b.getShort(i * LibC.SIZEOF_POLLFD + LibC.POLLFD_REVENTS);
                if ((rev & LibC.POLLNVAL) != 0) throw new IllegalStateException(fds[i] + " was closed while polled");
                if ((rev & (LibC.POLLIN | LibC.POLLERR | LibC.POLLHUP)) != 0) mask |= 1 << i;
            }
            return mask;
        }

        @Override
        public void close() { pollfds.close(); }
    }
}
