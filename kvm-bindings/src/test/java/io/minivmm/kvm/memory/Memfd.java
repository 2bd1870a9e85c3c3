package io.minivmm.kvm.memory;

import com.sun.jna.Native;
import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibcMemory;

/** A test memfd of a given size, closed with try-with-resources. */
final class Memfd implements AutoCloseable {
    final int fd;

    Memfd(long size) {
        // NATIVE: name is a NUL-terminated Java string, flags a valid MFD_* set.
        fd = LibcMemory.memfd_create("minivmm-test", LibcMemory.MFD_CLOEXEC);
        if (fd < 0) {
            throw new IllegalStateException("memfd_create: " + Errno.describe(Native.getLastError()));
        }
        // NATIVE: fd is the memfd just created and owned here.
        if (LibcMemory.ftruncate(fd, size) != 0) {
            int errno = Native.getLastError();
            // NATIVE: fd is the memfd just created here, closed once on this failure path.
            LibcMemory.close(fd);
            throw new IllegalStateException("ftruncate: " + Errno.describe(errno));
        }
    }

    @Override
    public void close() {
        // NATIVE: fd is owned here and closed once.
        LibcMemory.close(fd);
    }
}
