package io.minivmm.kvm.memory;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.sys.LibcMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An owned file descriptor to map guest RAM from: a user's file, or a memfd shared with the host
 * (SPEC-seeds §3, "linear" backing). Map it with {@link #map(long, long, boolean)}; the mapping
 * keeps the file alive on its own, so this may be closed once every mapping is built, or kept to
 * map the same memory again (the host's second view of a memfd).
 *
 * <pre>{@code
 * try (MemoryFile f = MemoryFile.memfd("guest-ram", 64 << 20);
 *      MemoryMapping ram = f.map(0, 64 << 20, true)) { ... }
 * }</pre>
 */
public final class MemoryFile implements AutoCloseable {
    private final int fd;
    private final String name;
    private boolean closed;

    private MemoryFile(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /** An anonymous shared-memory file (memfd, close-on-exec) of {@code size} zero bytes. */
    public static MemoryFile memfd(String name, long size) {
        // NATIVE: name is a NUL-terminated Java string, flags a valid MFD_* set.
        int fd = LibcMemory.memfd_create(name, LibcMemory.MFD_CLOEXEC);
        if (fd < 0) {
            throw new MemoryMappingException.SystemError("memfd_create", LibcMemory.errno());
        }
        MemoryFile f = new MemoryFile(fd, "memfd:" + name);
        try {
            f.setSize(size);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /**
     * Opens an existing file, read-write or read-only (a read-only file can still back a private,
     * copy-on-write mapping).
     *
     * @throws NoSuchFileException, AccessDeniedException or IOException naming the file and errno
     */
    public static MemoryFile open(Path path, boolean writable) throws IOException {
        // NATIVE: path is a NUL-terminated Java string; no O_CREAT, so no mode argument is read.
        int fd = LibC.open(path.toString(), (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = LibcMemory.errno();
            String why = Errno.describe(errno);
            if (errno == Errno.ENOENT) throw new NoSuchFileException(path.toString(), null, why);
            if (errno == Errno.EACCES || errno == Errno.EPERM || errno == Errno.EROFS) {
                throw new AccessDeniedException(path.toString(), null, why);
            }
            throw new IOException(path + ": " + why);
        }
        return new MemoryFile(fd, path.toString());
    }

    /** The descriptor, e.g. for {@link MemoryMapping#fromFd}. */
    public int fd() {
        ensureOpen();
        return fd;
    }

    /** The file's size in bytes now (fstat). */
    public long size() {
        ensureOpen();
        byte[] st = new byte[LibcMemory.STAT_SIZE];
        // NATIVE: st is a Java array of sizeof(struct stat) that JNA copies in and out; fd is ours and open.
        if (LibcMemory.fstat(fd, st) != 0) {
            throw new MemoryMappingException.SystemError("fstat", LibcMemory.errno());
        }
        return ByteBuffer.wrap(st).order(ByteOrder.nativeOrder()).getLong(LibcMemory.STAT_ST_SIZE);
    }

    /** Sets the size (ftruncate): growing adds zero bytes (sparse), shrinking drops the tail. */
    public void setSize(long size) {
        ensureOpen();
        // NATIVE: fd is ours and open; the kernel checks size (EINVAL, EFBIG) and the open mode.
        if (LibcMemory.ftruncate(fd, size) != 0) {
            throw new MemoryMappingException.SystemError("ftruncate", LibcMemory.errno());
        }
    }

    /**
     * Maps {@code [offset, offset + size)} of the file read-write: {@code shared} writes go to the
     * file (MAP_SHARED), otherwise they stay private to the mapping (MAP_PRIVATE, copy-on-write:
     * the file never changes). The range must lie inside the file (see {@link MemoryMapping.Builder#build()}).
     */
    public MemoryMapping map(long offset, long size, boolean shared) {
        return MemoryMapping.fromFd(fd(), size).offset(offset).shared(shared).build();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        // NATIVE: fd is owned here and closed exactly once.
        LibC.close(fd);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException(name + " is closed");
    }

    @Override
    public String toString() {
        return "MemoryFile[" + name + (closed ? ", closed]" : "]");
    }
}
