package io.minivmm.kvm.sys;

import com.sun.jna.Native;

/**
 * libc calls for file descriptors and ioctls, JNA direct-mapped (no reflection per call).
 * Internal: nothing outside {@code io.minivmm.kvm} sees these. Pointers are plain {@code long}
 * addresses; errno is read with {@link #errno()} right after a call that returned -1.
 */
public final class LibC {
    private LibC() {}

    static {
        // NATIVE: libc is always present on Linux; direct mapping binds these static natives once.
        Native.register(LibC.class, Libc.LIBRARY);
    }

    /** fcntl.h */
    public static final int O_RDONLY = 0, O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    /** sys/eventfd.h */
    public static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    public static native int open(String path, int flags);
    public static native int close(int fd);
    /** ioctl with an integer or address argument (request is the full encoded number). */
    public static native int ioctl(int fd, long request, long arg);
    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);
    public static native int munmap(long addr, long length);
    public static native int eventfd(int initval, int flags);
    public static native long read(int fd, long buf, long count);
    public static native long write(int fd, long buf, long count);
    /** poll.h: {@code fds} points to {@code nfds} struct pollfd (int fd; short events; short revents). */
    public static native int poll(long fds, long nfds, int timeoutMs);

    /** poll.h */
    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    /** sizeof(struct pollfd) and its field offsets. */
    public static final int SIZEOF_POLLFD = 8, POLLFD_FD = 0, POLLFD_EVENTS = 4, POLLFD_REVENTS = 6;

    /** errno of the last native call made by this thread. */
    public static int errno() {
        return Native.getLastError();
    }
}
