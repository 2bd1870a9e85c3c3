package io.minivmm.kvm.memory;

import io.minivmm.kvm.sys.Errno;

/**
 * Why a {@link MemoryMapping}, {@link VolatileSlice} or {@link MemoryMappingArena} operation was
 * refused. One subclass per kind; each carries the numbers that explain it, and so does its message.
 *
 * <p>Unchecked, like {@link java.nio.ByteBuffer}'s index errors: offsets into a host mapping are
 * computed by the caller (the VMM's guest-memory layer translates and checks guest addresses, and
 * reports <em>those</em> as its own typed error), so reaching one of these is a caller bug or a
 * system failure, and a {@code throws} clause on every u64 access would buy nothing.
 *
 * <pre>{@code
 * try {
 *     mapping.slice(3, 3);
 * } catch (MemoryMappingException.OutOfBounds e) {
 *     log("slice ends at " + e.end());
 * }
 * }</pre>
 */
public abstract sealed class MemoryMappingException extends RuntimeException
        permits MemoryMappingException.InvalidAddress, MemoryMappingException.InvalidOffset,
                MemoryMappingException.InvalidRange, MemoryMappingException.Overflow,
                MemoryMappingException.OutOfBounds, MemoryMappingException.NotPageAligned,
                MemoryMappingException.Misaligned, MemoryMappingException.AccessDenied,
                MemoryMappingException.SystemError {

    private MemoryMappingException(String message) {
        super(message);
    }

    /**
     * {@code [offset, offset + length)} is not inside a region of {@code size} bytes.
     *
     * <pre>{@code
     * mapping.readU64(1020);   // size 1024: InvalidAddress(1020, 8, 1024)
     * }</pre>
     */
    public static final class InvalidAddress extends MemoryMappingException {
        private final long offset, length, size;

        public InvalidAddress(long offset, long length, long size) {
            super("invalid address: offset " + offset + " length " + length + " not within size " + size);
            this.offset = offset;
            this.length = length;
            this.size = size;
        }

        public long offset() { return offset; }
        public long length() { return length; }
        public long size() { return size; }
    }

    /**
     * A file offset that is negative or would overflow when the mapping size is added.
     *
     * <pre>{@code
     * MemoryMapping.fromFd(fd, 4096).offset(-4096).build();   // InvalidOffset(-4096, 4096)
     * }</pre>
     */
    public static final class InvalidOffset extends MemoryMappingException {
        private final long fileOffset, size;

        public InvalidOffset(long fileOffset, long size) {
            super("invalid file offset " + fileOffset + " for a mapping of " + size + " bytes");
            this.fileOffset = fileOffset;
            this.size = size;
        }

        public long fileOffset() { return fileOffset; }
        public long size() { return size; }
    }

    /**
     * A range for an madvise/mlock extra, or a file range, that does not fit {@code size}.
     *
     * <pre>{@code
     * mapping.removeRange(0, Long.MAX_VALUE);   // InvalidRange(0, 9223372036854775807, size)
     * }</pre>
     */
    public static final class InvalidRange extends MemoryMappingException {
        private final long offset, length, size;

        public InvalidRange(long offset, long length, long size) {
            super("invalid range: offset " + offset + " length " + length + " with size " + size);
            this.offset = offset;
            this.length = length;
            this.size = size;
        }

        public long offset() { return offset; }
        public long length() { return length; }
        public long size() { return size; }
    }

    /**
     * {@code base + offset} overflows (or one of them is negative).
     *
     * <pre>{@code
     * mapping.slice(Long.MAX_VALUE, 3);   // Overflow(9223372036854775807, 3)
     * }</pre>
     */
    public static final class Overflow extends MemoryMappingException {
        private final long base, offset;

        public Overflow(long base, long offset) {
            super("overflow: base " + base + " + offset " + offset);
            this.base = base;
            this.offset = offset;
        }

        public long base() { return base; }
        public long offset() { return offset; }
    }

    /**
     * A slice would end at {@code end}, past the region it is cut from.
     *
     * <pre>{@code
     * mapping.slice(3, 3);   // size 5: OutOfBounds(6)
     * }</pre>
     */
    public static final class OutOfBounds extends MemoryMappingException {
        private final long end;

        public OutOfBounds(long end, long size) {
            super("out of bounds: end " + end + " past size " + size);
            this.end = end;
        }

        public long end() { return end; }
    }

    /**
     * A value that must be a multiple of the page size is not.
     *
     * <pre>{@code
     * arena.addFdMapping(4097, 4096, fd, 0, Protection.READ_WRITE);   // NotPageAligned(4097)
     * }</pre>
     */
    public static final class NotPageAligned extends MemoryMappingException {
        private final long value;

        public NotPageAligned(String what, long value, long pageSize) {
            super(what + " " + value + " (0x" + Long.toHexString(value) + ") is not a multiple of the page size "
                    + pageSize);
            this.value = value;
        }

        public long value() { return value; }
    }

    /**
     * A volatile access at an offset that is not a multiple of its size.
     *
     * <pre>{@code
     * mapping.readU64Volatile(4);   // Misaligned(4, 8)
     * }</pre>
     */
    public static final class Misaligned extends MemoryMappingException {
        private final long offset;
        private final int alignment;

        public Misaligned(long offset, int alignment) {
            super("misaligned volatile access: offset " + offset + " is not a multiple of " + alignment);
            this.offset = offset;
            this.alignment = alignment;
        }

        public long offset() { return offset; }
        public int alignment() { return alignment; }
    }

    /**
     * A read of a non-readable or a write to a non-writable mapping (refused before touching memory).
     *
     * <pre>{@code
     * readOnlyMapping.writeU32(1, 0);   // AccessDenied: write denied: mapping protection is READ
     * }</pre>
     */
    public static final class AccessDenied extends MemoryMappingException {
        public AccessDenied(String access, Protection protection) {
            super(access + " denied: mapping protection is " + protection);
        }
    }

    /**
     * A system call failed; {@link #errno()} is its errno, {@link #operation()} names the call.
     *
     * <pre>{@code
     * MemoryMapping.fromFd(-1, 1024).build();   // SystemError: mmap failed: EBADF (9)
     * }</pre>
     */
    public static final class SystemError extends MemoryMappingException {
        private final int errno;
        private final String operation;

        public SystemError(String operation, int errno) {
            super(operation + " failed: " + Errno.describe(errno));
            this.errno = errno;
            this.operation = operation;
        }

        public int errno() { return errno; }
        public String operation() { return operation; }
    }
}
