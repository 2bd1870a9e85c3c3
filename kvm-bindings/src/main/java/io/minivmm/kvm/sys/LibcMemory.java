package io.minivmm.kvm.sys;

import com.sun.jna.Native;

/**
 * libc memory-management calls (mmap family, memfd), JNA direct-mapped.
 *
 * <p>Internal to kvm-bindings: C names and C types ({@code long} for pointers and
 * {@code size_t}/{@code off_t}, {@code int} for fds and flags). Callers read errno with
 * {@link Native#getLastError()} immediately after a call that returned failure; JNA saves errno
 * right after every direct call, so no Java code can clobber it in between.
 *
 * <pre>{@code
 * long addr = LibcMemory.mmap(0, 4096, LibcMemory.PROT_READ | LibcMemory.PROT_WRITE,
 *         LibcMemory.MAP_PRIVATE | LibcMemory.MAP_ANONYMOUS, -1, 0);
 * if (addr == LibcMemory.MAP_FAILED) throw new IllegalStateException(Errno.describe(Native.getLastError()));
 * }</pre>
 */
public final class LibcMemory {
    private LibcMemory() {}

    static {
        Native.register(LibcMemory.class, Libc.LIBRARY);
    }

    // <asm-generic/mman-common.h>
    public static final int PROT_NONE = 0x0, PROT_READ = 0x1, PROT_WRITE = 0x2, PROT_EXEC = 0x4;
    // <asm-generic/mman-common.h>, <linux/mman.h>, <asm/mman.h> (x86)
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
            MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000;
    /** {@code (void *) -1}, sys/mman.h. */
    public static final long MAP_FAILED = -1L;
    // <asm-generic/mman-common.h>
    public static final int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3,
            MADV_DONTNEED = 4, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11, MADV_HUGEPAGE = 14,
            MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17;
    // <asm-generic/mman-common.h>
    public static final int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    /** {@code <asm-generic/mman-common.h>}: lock pages as they are faulted in, not all at once. */
    public static final int MLOCK_ONFAULT = 0x01;
    /** {@code <linux/memfd.h>}. */
    public static final int MFD_CLOEXEC = 0x0001;
    /** {@code <bits/confname.h>}. */
    public static final int _SC_PAGESIZE = 30, _SC_LEVEL1_DCACHE_LINESIZE = 190;
    /** {@code <asm/stat.h>} (x86_64) {@code struct stat}: 144 bytes, st_mode (u32) at 24, st_size (s64) at 48. */
    public static final int STAT_SIZE = 144, STAT_ST_MODE = 24, STAT_ST_SIZE = 48;
    /** {@code <bits/stat.h>}: file type mask and regular-file type. */
    public static final int S_IFMT = 0170000, S_IFREG = 0100000;

    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    public static native int munmap(long addr, long length);

    public static native int madvise(long addr, long length, int advice);

    public static native int msync(long addr, long length, int flags);

    public static native int mlock2(long addr, long length, int flags);

    public static native int munlock(long addr, long length);

    public static native int memfd_create(String name, int flags);

    public static native int ftruncate(int fd, long length);

    public static native int fstat(int fd, byte[] statbuf);

    public static native int close(int fd);

    public static native long sysconf(int name);

    /** mincore(2): one byte per page of [addr, addr+length), bit 0 set when the page is resident. */
    public static native int mincore(long addr, long length, byte[] vec);

    private static final long PAGE_SIZE;

    static {
        // NATIVE: sysconf has no preconditions; _SC_PAGESIZE never fails on Linux.
        long p = sysconf(_SC_PAGESIZE);
        PAGE_SIZE = p > 0 ? p : 4096;
    }

    /**
     * errno of the last failed call on this thread: {@link Native#getLastError()}, which JNA saves
     * right after each direct call. Call it immediately after the failing call.
     */
    public static int errno() {
        return Native.getLastError();
    }

    /** The host page size (sysconf(_SC_PAGESIZE)). */
    public static long pageSize() {
        return PAGE_SIZE;
    }
}
