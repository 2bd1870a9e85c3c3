package io.minivmm.kvm.memory;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibcMemory;

/**
 * A PROT_NONE reservation of host address space into which pieces of files are mapped at fixed
 * offsets, e.g. a device's memory window registered once as a KVM memory slot and filled and
 * emptied later (crosvm's {@code MemoryMappingArena}).
 *
 * <p>The arena deliberately offers no Java reads or writes: parts of it are PROT_NONE or mapped
 * from arbitrary fds, and touching them from Java could kill the JVM. It exists to hand
 * {@link #hostAddress()} to KVM; access the same fds through a {@link MemoryMapping} instead.
 *
 * <pre>{@code
 * try (MemoryMappingArena arena = MemoryMappingArena.reserve(16 * 4096)) {
 *     arena.addFdMapping(4096, 2 * 4096, memfd, 0, Protection.READ_WRITE);
 *     vm.setUserMemoryRegion(slot, gpa, arena.size(), arena.hostAddress());
 *     arena.removeMapping(4096, 2 * 4096);
 * }
 * }</pre>
 */
public final class MemoryMappingArena implements AutoCloseable {
    private final long address;
    private final long size;
    private boolean closed;

    private MemoryMappingArena(long address, long size) {
        this.address = address;
        this.size = size;
    }

    /**
     * Reserves {@code size} bytes (rounded up to whole pages) PROT_NONE, MAP_NORESERVE.
     *
     * @throws MemoryMappingException.SystemError EINVAL for a size of 0 or less, or mmap's error
     */
    public static MemoryMappingArena reserve(long size) {
        long page = LibcMemory.pageSize();
        if (size <= 0 || size > Long.MAX_VALUE - page) {
            throw new MemoryMappingException.SystemError("mmap", Errno.EINVAL);
        }
        long rounded = (size + page - 1) & -page;
        // NATIVE: anonymous PROT_NONE reservation at a kernel-chosen address; rounded > 0.
        long addr = LibcMemory.mmap(0, rounded, LibcMemory.PROT_NONE,
                LibcMemory.MAP_PRIVATE | LibcMemory.MAP_ANONYMOUS | LibcMemory.MAP_NORESERVE, -1, 0);
        if (addr == LibcMemory.MAP_FAILED) {
            throw new MemoryMappingException.SystemError("mmap", LibcMemory.errno());
        }
        return new MemoryMappingArena(addr, rounded);
    }

    /** Size in bytes (whole pages). */
    public long size() {
        return size;
    }

    /** Host virtual address of the reservation, for {@code KVM_SET_USER_MEMORY_REGION}. */
    public long hostAddress() {
        ensureOpen();
        return address;
    }

    /**
     * Maps {@code size} bytes of {@code fd} from {@code fdOffset} at {@code offset} in the arena
     * (MAP_SHARED | MAP_FIXED). Overlapping an earlier mapping replaces that part of it.
     *
     * @throws MemoryMappingException.NotPageAligned if {@code offset} is not page aligned
     * @throws MemoryMappingException.InvalidAddress if {@code [offset, offset + size)} is empty or
     *     not inside the arena
     * @throws MemoryMappingException.InvalidOffset if {@code fdOffset} is negative or overflows
     * @throws MemoryMappingException.SystemError mmap's error (EBADF, EINVAL for an unaligned fdOffset, ...)
     */
    public void addFdMapping(long offset, long size, int fd, long fdOffset, Protection protection) {
        validateRange(offset, size);
        if (fdOffset < 0 || fdOffset > Long.MAX_VALUE - size) {
            throw new MemoryMappingException.InvalidOffset(fdOffset, size);
        }
        // NATIVE: [address+offset, +size) is inside our own reservation (checked): MAP_FIXED replaces only our pages.
        long addr = LibcMemory.mmap(address + offset, size, protection.bits(),
                LibcMemory.MAP_SHARED | LibcMemory.MAP_FIXED, fd, fdOffset);
        if (addr == LibcMemory.MAP_FAILED) {
            throw new MemoryMappingException.SystemError("mmap", LibcMemory.errno());
        }
    }

    /**
     * Replaces {@code [offset, offset + size)} with anonymous read-only zero pages (as crosvm does:
     * a guest reading the hole sees zeros instead of taking a fault).
     *
     * @throws MemoryMappingException.NotPageAligned if {@code offset} is not page aligned
     * @throws MemoryMappingException.InvalidAddress if the range is empty or not inside the arena
     */
    public void removeMapping(long offset, long size) {
        validateRange(offset, size);
        // NATIVE: [address+offset, +size) is inside our own reservation (checked); MAP_FIXED anon.
        long addr = LibcMemory.mmap(address + offset, size, LibcMemory.PROT_READ,
                LibcMemory.MAP_PRIVATE | LibcMemory.MAP_ANONYMOUS | LibcMemory.MAP_NORESERVE | LibcMemory.MAP_FIXED,
                -1, 0);
        if (addr == LibcMemory.MAP_FAILED) {
            throw new MemoryMappingException.SystemError("mmap", LibcMemory.errno());
        }
    }

    private void validateRange(long offset, long len) {
        ensureOpen();
        long page = LibcMemory.pageSize();
        if (offset % page != 0) {
            throw new MemoryMappingException.NotPageAligned("offset", offset, page);
        }
        if (offset < 0 || len <= 0 || offset > size - len) {
            throw new MemoryMappingException.InvalidAddress(offset, len, size);
        }
    }

    /** Unmaps the whole reservation with everything mapped into it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // NATIVE: [address, address+size) is our reservation; nothing in Java refers into it.
        if (LibcMemory.munmap(address, size) != 0) {
            throw new MemoryMappingException.SystemError("munmap", LibcMemory.errno());
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("MemoryMappingArena of " + size + " bytes is closed");
        }
    }

    @Override
    public String toString() {
        return "MemoryMappingArena[0x" + Long.toHexString(address) + ", " + size + " bytes"
                + (closed ? ", closed]" : "]");
    }
}
