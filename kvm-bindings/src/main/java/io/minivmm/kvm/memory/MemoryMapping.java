package io.minivmm.kvm.memory;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibcMemory;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bounded, owned view of one {@code mmap} region: guest RAM, a shared-memory region, a file.
 * All offsets are {@code long}s relative to the start of the mapping; every range check is
 * overflow-safe. Multi-byte values are little-endian (x86 guests).
 *
 * <pre>{@code
 * try (MemoryMapping ram = MemoryMapping.anonymous(64 << 20).alignment(2 << 20).populate(true).build()) {
 *     ram.writeU64(0xdead_beefL, 0x1000);
 *     long v = ram.readU64(0x1000);
 *     vm.setUserMemoryRegion(0, 0, ram.size(), ram.hostAddress());
 * }
 * }</pre>
 *
 * <h2>Access path</h2>
 * Accesses are plain loads and stores at {@code base + off} ({@link RawMemory}: the foreign-memory
 * API on Java 22+, {@code sun.misc.Unsafe} on Java 17-21), each preceded by
 * this class's own overflow-safe range check and an open/protection check folded into one field
 * load ({@code base == 0} when closed or not permitted), so a u64 access is one compare-and-branch
 * and one machine load, with no native call. Direct {@link ByteBuffer} views were tried first
 * (JNA {@code Pointer.getByteBuffer}, one per 1 GiB chunk since a buffer holds at most 2 GiB):
 * picking the chunk per access keeps the JIT from hoisting the buffer's own fields (address,
 * limit, scope, order) out of loops, which measured 3-4x slower than a single direct buffer on
 * sequential reads, outside the 2x budget (docs/BENCHMARKS-memory.md). The Java 17 foreign-memory
 * API is still an incubator. The price of raw access is that it checks nothing itself, so every
 * access goes through the checks here (tested at the exact edges) before it reaches RawMemory.
 *
 * <h2>Thread safety and close</h2>
 * Reads and writes from several threads are fine (they are plain memory accesses: the caller orders
 * them, or uses the volatile variants). {@link #close()} zeroes the base addresses, then unmaps the
 * region; after it, any method except {@code close()}, {@link #size()}, {@link #protection()} and
 * {@link #isClosed()} throws {@link IllegalStateException} instead of touching unmapped memory.
 * Closing while another thread is still accessing the mapping is the caller's bug (that thread may
 * have passed its check just before the unmap and then fault, killing the JVM): closing must
 * happen-after every access, and a thread that did not close must see the close through some
 * synchronization to be guaranteed the exception. The fields are deliberately not volatile, so the
 * hot path stays one plain load.
 *
 * <h2>Protection</h2>
 * Reads of a mapping without {@code PROT_READ} and writes to one without {@code PROT_WRITE} are
 * refused with {@link MemoryMappingException.AccessDenied} before memory is touched, since the fault
 * would otherwise kill the JVM. For the same reason a file mapping may not extend past the end of a
 * regular file (a SIGBUS on access); see {@link Builder#build()}. What no check here can prevent:
 * another process truncating a mapped file later, or shmem running out of space under an
 * anonymous MAP_NORESERVE mapping; both raise SIGBUS on access, as they would in C.
 */
public final class MemoryMapping implements AutoCloseable {
    /** Huge pages are 2 MiB on x86-64; smaller mappings cannot use them. */
    static final long HUGE_PAGE_SIZE = 2L << 20;

    /** x86 is little-endian; the swaps below fold away there. */
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /** Bulk copies go in pieces of this size so that a safepoint is never held off for long. */
    private static final int COPY_PIECE = 1 << 20;

    private static final int CACHE_LINE_SIZE;

    static {
        // NATIVE: sysconf has no preconditions; 0 or -1 means "unknown", then 64 (x86) is assumed.
        long l = LibcMemory.sysconf(LibcMemory._SC_LEVEL1_DCACHE_LINESIZE);
        CACHE_LINE_SIZE = l > 0 && l <= 4096 ? (int) l : 64;
    }

    private final long address;
    private final long size;
    private final Protection protection;
    /** {@code address} when readable and open, else 0: one load checks both. */
    private long readBase;
    /** {@code address} when writable and open, else 0. */
    private long writeBase;
    private boolean closed;

    private MemoryMapping(long address, long size, Protection protection) {
        this.address = address;
        this.size = size;
        this.protection = protection;
        this.readBase = protection.readable() ? address : 0;
        this.writeBase = protection.writable() ? address : 0;
    }

    /** A builder for an anonymous shared mapping of {@code size} bytes (MAP_NORESERVE). */
    public static Builder anonymous(long size) {
        return new Builder(size, -1, true);
    }

    /**
     * A builder for a mapping of {@code size} bytes of {@code fd} (MAP_SHARED by default). The fd is
     * not owned: the caller may close it once the mapping is built (the mapping keeps the file).
     */
    public static Builder fromFd(int fd, long size) {
        return new Builder(size, fd, false);
    }

    /**
     * A private (copy-on-write) read-write mapping of {@code size} bytes of {@code file} from
     * {@code offset}: reads see the file, writes go to private pages the file never sees, and
     * {@link #dropPageCache} (MADV_DONTNEED) returns a range to the file's content. The file is
     * opened read-only and closed again before this returns (the mapping keeps it). Used for guest
     * RAM restored from a snapshot.
     *
     * @throws MemoryMappingException.SystemError when the file cannot be opened (errno) or mapped
     * @throws MemoryMappingException.InvalidRange when the range extends past the end of the file
     */
    public static MemoryMapping privateFile(java.nio.file.Path file, long offset, long size) {
        // NATIVE: a NUL-terminated path string; no memory is passed.
        int fd = io.minivmm.kvm.sys.LibC.open(file.toString(), io.minivmm.kvm.sys.LibC.O_RDONLY | io.minivmm.kvm.sys.LibC.O_CLOEXEC);
        if (fd < 0) throw new MemoryMappingException.SystemError("open(" + file + ")", LibcMemory.errno());
        try {
            return fromFd(fd, size).offset(offset).shared(false).build();
        } finally {
            // NATIVE: our own fd, opened above; the mapping holds its own reference to the file.
            io.minivmm.kvm.sys.LibC.close(fd);
        }
    }

    /**
     * Options for a {@link MemoryMapping}.
     *
     * <pre>{@code
     * MemoryMapping m = MemoryMapping.fromFd(memfd, 2 * 4096).offset(4096).protection(Protection.READ).build();
     * }</pre>
     */
    public static final class Builder {
        private final long size;
        private final int fd;
        private final boolean anonymous;
        private long offset;
        private Protection protection = Protection.READ_WRITE;
        private boolean populate;
        private boolean shared = true;
        private long alignment;

        private Builder(long size, int fd, boolean anonymous) {
            this.size = size;
            this.fd = fd;
            this.anonymous = anonymous;
        }

        /** Offset into the file (page aligned, non-negative); only for {@link #fromFd}. */
        public Builder offset(long fileOffset) {
            if (anonymous) {
                throw new IllegalStateException("an anonymous mapping has no file offset");
            }
            this.offset = fileOffset;
            return this;
        }

        /** Page protection; default {@link Protection#READ_WRITE}. */
        public Builder protection(Protection protection) {
            this.protection = java.util.Objects.requireNonNull(protection);
            return this;
        }

        /**
         * MAP_POPULATE: fault every page in now. Allowed for anonymous mappings too (unlike
         * crosvm): it is how guest RAM is prefaulted before boot.
         */
        public Builder populate(boolean populate) {
            this.populate = populate;
            return this;
        }

        /** MAP_SHARED (default) or MAP_PRIVATE (copy-on-write). */
        public Builder shared(boolean shared) {
            this.shared = shared;
            return this;
        }

        /**
         * Place the mapping at a multiple of {@code alignment} (a power of two; 0 or anything up
         * to the page size means page aligned). Reserves {@code size + alignment} bytes PROT_NONE,
         * maps at the aligned address with MAP_FIXED, and unmaps the slack on both sides.
         */
        public Builder alignment(long alignment) {
            if (alignment < 0 || (alignment & (alignment - 1)) != 0) {
                throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
            }
            this.alignment = alignment;
            return this;
        }

        /**
         * Maps it, and marks it MADV_DONTDUMP (guest memory does not belong in VMM core dumps).
         *
         * @throws MemoryMappingException.SystemError for a size of 0 or less (EINVAL, as mmap itself
         *     reports length 0), a bad fd (EBADF from mmap), or any other mmap/madvise failure
         * @throws MemoryMappingException.InvalidOffset for a negative file offset or one where
         *     {@code offset + size} overflows
         * @throws MemoryMappingException.NotPageAligned for a file offset not a multiple of the page size
         * @throws MemoryMappingException.InvalidRange when the fd is a regular file and
         *     {@code [offset, offset + size)} extends past its end (an access there would SIGBUS)
         */
        public MemoryMapping build() {
            long page = LibcMemory.pageSize();
            if (size <= 0) {
                throw new MemoryMappingException.SystemError("mmap", Errno.EINVAL);
            }
            if (offset < 0 || offset > Long.MAX_VALUE - size) {
                throw new MemoryMappingException.InvalidOffset(offset, size);
            }
            if (offset % page != 0) {
                throw new MemoryMappingException.NotPageAligned("file offset", offset, page);
            }
            if (size > Long.MAX_VALUE - page - Math.max(alignment, page)) {
                throw new MemoryMappingException.SystemError("mmap", Errno.ENOMEM);
            }
            if (!anonymous) {
                checkFileRange(page);
            }
            int flags = (shared ? LibcMemory.MAP_SHARED : LibcMemory.MAP_PRIVATE)
                    | (populate ? LibcMemory.MAP_POPULATE : 0)
                    | (anonymous ? LibcMemory.MAP_ANONYMOUS | LibcMemory.MAP_NORESERVE : 0);
            long addr = alignment > page ? mapAligned(flags, page) : mapPlain(flags);
            // NATIVE: [addr, addr+size) was just mapped by us and nothing else refers to it yet.
            if (LibcMemory.madvise(addr, size, LibcMemory.MADV_DONTDUMP) != 0) {
                int errno = LibcMemory.errno();
                // NATIVE: same fresh mapping; unmapped before anyone could use it.
                LibcMemory.munmap(addr, size);
                throw new MemoryMappingException.SystemError("madvise(MADV_DONTDUMP)", errno);
            }
            return new MemoryMapping(addr, size, protection);
        }

        private long mapPlain(int flags) {
            // NATIVE: no fixed address (kernel picks free space), size > 0, fd validated by the kernel (EBADF).
            long addr = LibcMemory.mmap(0, size, protection.bits(), flags, fd, offset);
            if (addr == LibcMemory.MAP_FAILED) {
                throw new MemoryMappingException.SystemError("mmap", LibcMemory.errno());
            }
            return addr;
        }

        private long mapAligned(int flags, long page) {
            long mapLen = (size + page - 1) & -page;
            long reserveLen = mapLen + alignment;
            // NATIVE: an anonymous PROT_NONE reservation at a kernel-chosen address; reserveLen > 0.
            long base = LibcMemory.mmap(0, reserveLen, LibcMemory.PROT_NONE,
                    LibcMemory.MAP_PRIVATE | LibcMemory.MAP_ANONYMOUS | LibcMemory.MAP_NORESERVE, -1, 0);
            if (base == LibcMemory.MAP_FAILED) {
                throw new MemoryMappingException.SystemError("mmap(reserve)", LibcMemory.errno());
            }
            long aligned = (base + alignment - 1) & -alignment;
            // NATIVE: [aligned, aligned+mapLen) is inside our own reservation: MAP_FIXED replaces only our pages.
            long addr = LibcMemory.mmap(aligned, size, protection.bits(), flags | LibcMemory.MAP_FIXED, fd, offset);
            if (addr == LibcMemory.MAP_FAILED) {
                int errno = LibcMemory.errno();
                // NATIVE: the whole reservation is ours and unused.
                LibcMemory.munmap(base, reserveLen);
                throw new MemoryMappingException.SystemError("mmap", errno);
            }
            if (aligned > base) {
                // NATIVE: [base, aligned) is the leading slack of our reservation, page aligned.
                LibcMemory.munmap(base, aligned - base);
            }
            long tail = aligned + mapLen;
            long tailLen = base + reserveLen - tail;
            if (tailLen > 0) {
                // NATIVE: [tail, base+reserveLen) is the trailing slack of our reservation, page aligned.
                LibcMemory.munmap(tail, tailLen);
            }
            return addr;
        }

        private void checkFileRange(long page) {
            byte[] st = new byte[LibcMemory.STAT_SIZE];
            // NATIVE: st is a Java array of sizeof(struct stat) that JNA copies in and out.
            if (LibcMemory.fstat(fd, st) != 0) {
                return; // a bad fd: let mmap report it (EBADF)
            }
            ByteBuffer b = ByteBuffer.wrap(st).order(ByteOrder.nativeOrder());
            int mode = b.getInt(LibcMemory.STAT_ST_MODE);
            long fileSize = b.getLong(LibcMemory.STAT_ST_SIZE);
            if ((mode & LibcMemory.S_IFMT) == LibcMemory.S_IFREG && offset + size > fileSize) {
                throw new MemoryMappingException.InvalidRange(offset, size, fileSize);
            }
        }
    }

    // ---------------------------------------------------------------- properties

    /** Size in bytes, as requested (the kernel maps whole pages; accesses stay within this size). */
    public long size() {
        return size;
    }

    /** The host virtual address of offset 0, e.g. for {@code KVM_SET_USER_MEMORY_REGION}. */
    public long hostAddress() {
        ensureOpen();
        return address;
    }

    public Protection protection() {
        return protection;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The L1 data cache line size (sysconf), 64 when unknown. */
    public static int cacheLineSize() {
        return CACHE_LINE_SIZE;
    }

    // ---------------------------------------------------------------- slices

    /**
     * Copies {@code min(size - off, buf.length)} bytes of {@code buf} to {@code off}.
     *
     * @return the number of bytes copied; 0 when {@code off == size}
     * @throws MemoryMappingException.InvalidAddress if {@code off < 0 || off > size}
     */
    public int writeSlice(byte[] buf, long off) {
        long base = writable();
        checkSliceOffset(off, buf.length);
        int n = (int) Math.min(size - off, buf.length);
        copyIn(base + off, buf, 0, n);
        return n;
    }

    /**
     * Copies {@code min(size - off, buf.length)} bytes at {@code off} into {@code buf}.
     *
     * @return the number of bytes copied; 0 when {@code off == size}
     * @throws MemoryMappingException.InvalidAddress if {@code off < 0 || off > size}
     */
    public int readSlice(byte[] buf, long off) {
        long base = readable();
        checkSliceOffset(off, buf.length);
        int n = (int) Math.min(size - off, buf.length);
        copyOut(base + off, buf, 0, n);
        return n;
    }

    /**
     * Like {@link java.nio.channels.FileChannel#write(ByteBuffer, long)}: copies
     * {@code min(size - off, src.remaining())} bytes from {@code src}'s position to {@code off} and
     * advances that position.
     *
     * @return the number of bytes copied
     */
    public int writeSlice(ByteBuffer src, long off) {
        long base = writable();
        checkSliceOffset(off, src.remaining());
        int n = (int) Math.min(size - off, src.remaining());
        int pos = src.position();
        if (src.hasArray()) {
            copyIn(base + off, src.array(), src.arrayOffset() + pos, n);
        } else {
            byte[] tmp = new byte[Math.min(n, COPY_PIECE)];
            for (int done = 0; done < n; ) {
                int k = Math.min(n - done, tmp.length);
                src.get(pos + done, tmp, 0, k);
                copyIn(base + off + done, tmp, 0, k);
                done += k;
            }
        }
        src.position(pos + n);
        return n;
    }

    /**
     * Like {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}: copies
     * {@code min(size - off, dst.remaining())} bytes at {@code off} to {@code dst}'s position and
     * advances that position.
     *
     * @return the number of bytes copied
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    public int readSlice(ByteBuffer dst, long off) {
        long base = readable();
        checkSliceOffset(off, dst.remaining());
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        int n = (int) Math.min(size - off, dst.remaining());
        int pos = dst.position();
        if (dst.hasArray()) {
            copyOut(base + off, dst.array(), dst.arrayOffset() + pos, n);
        } else {
            byte[] tmp = new byte[Math.min(n, COPY_PIECE)];
            for (int done = 0; done < n; ) {
                int k = Math.min(n - done, tmp.length);
                copyOut(base + off + done, tmp, 0, k);
                dst.put(pos + done, tmp, 0, k);
                done += k;
            }
        }
        dst.position(pos + n);
        return n;
    }

    private void checkSliceOffset(long off, long len) {
        if (off < 0 || off > size) {
            throw new MemoryMappingException.InvalidAddress(off, len, size);
        }
    }

    // ---------------------------------------------------------------- objects

    /** Reads the u8 at {@code off}, returned as its raw bits ({@code Byte.toUnsignedInt} for the value). */
    public byte readU8(long off) {
        long base = readBase;
        if (base == 0 || off < 0 || off > size - 1) {
            throw readError(off, 1);
        }
        return RawMemory.getByte(base + off);
    }

    /** Reads the little-endian u16 at {@code off} (any alignment), as its raw bits. */
    public short readU16(long off) {
        long base = readBase;
        if (base == 0 || off < 0 || off > size - 2) {
            throw readError(off, 2);
        }
        short v = RawMemory.getShort(base + off);
        return NATIVE_LE ? v : Short.reverseBytes(v);
    }

    /** Reads the little-endian u32 at {@code off} (any alignment), as its raw bits. */
    public int readU32(long off) {
        long base = readBase;
        if (base == 0 || off < 0 || off > size - 4) {
            throw readError(off, 4);
        }
        int v = RawMemory.getInt(base + off);
        return NATIVE_LE ? v : Integer.reverseBytes(v);
    }

    /**
     * Reads the little-endian u64 at {@code off} (any alignment), as its raw bits.
     *
     * @throws MemoryMappingException.InvalidAddress unless {@code 0 <= off <= size - 8}
     */
    public long readU64(long off) {
        long base = readBase;
        if (base == 0 || off < 0 || off > size - 8) {
            throw readError(off, 8);
        }
        // Raw access: base + off .. +8 lies inside this open, readable mapping (checked just above).
        long v = RawMemory.getLong(base + off);
        return NATIVE_LE ? v : Long.reverseBytes(v);
    }

    /** Writes a u8 at {@code off}. Value first, offset last, as in crosvm's {@code write_obj}. */
    public void writeU8(byte value, long off) {
        long base = writeBase;
        if (base == 0 || off < 0 || off > size - 1) {
            throw writeError(off, 1);
        }
        RawMemory.putByte(base + off, value);
    }

    /** Writes a little-endian u16 at {@code off} (any alignment). */
    public void writeU16(short value, long off) {
        long base = writeBase;
        if (base == 0 || off < 0 || off > size - 2) {
            throw writeError(off, 2);
        }
        RawMemory.putShort(base + off, NATIVE_LE ? value : Short.reverseBytes(value));
    }

    /** Writes a little-endian u32 at {@code off} (any alignment). */
    public void writeU32(int value, long off) {
        long base = writeBase;
        if (base == 0 || off < 0 || off > size - 4) {
            throw writeError(off, 4);
        }
        RawMemory.putInt(base + off, NATIVE_LE ? value : Integer.reverseBytes(value));
    }

    /**
     * Writes a little-endian u64 at {@code off} (any alignment).
     *
     * @throws MemoryMappingException.InvalidAddress unless {@code 0 <= off <= size - 8}
     */
    public void writeU64(long value, long off) {
        long base = writeBase;
        if (base == 0 || off < 0 || off > size - 8) {
            throw writeError(off, 8);
        }
        // Raw access: base + off .. +8 lies inside this open, writable mapping (checked just above).
        RawMemory.putLong(base + off, NATIVE_LE ? value : Long.reverseBytes(value));
    }

    /**
     * Reads a whole {@code T} at {@code off} (any alignment) through {@code codec}.
     *
     * @throws MemoryMappingException.InvalidAddress if the object does not fit entirely
     */
    public <T> T readObj(ByteCodec<T> codec, long off) {
        long base = readable();
        int n = codec.size();
        checkAccess(off, n);
        byte[] tmp = new byte[n];
        copyOut(base + off, tmp, 0, n);
        return codec.decode(ByteBuffer.wrap(tmp).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Writes a whole {@code T} at {@code off} (any alignment) through {@code codec}. The value is
     * encoded first, so a failing codec leaves memory untouched.
     *
     * @throws MemoryMappingException.InvalidAddress if the object does not fit entirely
     */
    public <T> void writeObj(T value, ByteCodec<T> codec, long off) {
        long base = writable();
        int n = codec.size();
        checkAccess(off, n);
        byte[] tmp = new byte[n];
        codec.encode(value, ByteBuffer.wrap(tmp).order(ByteOrder.LITTLE_ENDIAN));
        copyIn(base + off, tmp, 0, n);
    }

    // ---------------------------------------------------------------- volatile

    /** A single volatile u8 load. For MMIO-like or shared memory; prefer {@link #readU8} for plain RAM. */
    public byte readU8Volatile(long off) {
        long base = readable();
        checkAccess(off, 1);
        return RawMemory.getByteVolatile(base + off);
    }

    /** A single volatile u16 load; {@code off} must be 2-byte aligned. */
    public short readU16Volatile(long off) {
        long base = readable();
        checkVolatile(off, 2);
        short v = RawMemory.getShortVolatile(base + off);
        return NATIVE_LE ? v : Short.reverseBytes(v);
    }

    /** A single volatile u32 load; {@code off} must be 4-byte aligned. */
    public int readU32Volatile(long off) {
        long base = readable();
        checkVolatile(off, 4);
        int v = RawMemory.getIntVolatile(base + off);
        return NATIVE_LE ? v : Integer.reverseBytes(v);
    }

    /**
     * A single volatile u64 load.
     *
     * @throws MemoryMappingException.Misaligned unless {@code off} is 8-byte aligned (upstream
     *     does not check; an unaligned access is not single-copy atomic)
     */
    public long readU64Volatile(long off) {
        long base = readable();
        checkVolatile(off, 8);
        long v = RawMemory.getLongVolatile(base + off);
        return NATIVE_LE ? v : Long.reverseBytes(v);
    }

    /** A full fence, then a single volatile u8 store. */
    public void writeU8Volatile(byte value, long off) {
        long base = writable();
        checkAccess(off, 1);
        VarHandle.fullFence();
        RawMemory.putByteVolatile(base + off, value);
    }

    /** A full fence, then a single volatile u16 store; {@code off} must be 2-byte aligned. */
    public void writeU16Volatile(short value, long off) {
        long base = writable();
        checkVolatile(off, 2);
        VarHandle.fullFence();
        RawMemory.putShortVolatile(base + off, NATIVE_LE ? value : Short.reverseBytes(value));
    }

    /** A full fence, then a single volatile u32 store; {@code off} must be 4-byte aligned. */
    public void writeU32Volatile(int value, long off) {
        long base = writable();
        checkVolatile(off, 4);
        VarHandle.fullFence();
        RawMemory.putIntVolatile(base + off, NATIVE_LE ? value : Integer.reverseBytes(value));
    }

    /** A full fence, then a single volatile u64 store; {@code off} must be 8-byte aligned. */
    public void writeU64Volatile(long value, long off) {
        long base = writable();
        checkVolatile(off, 8);
        VarHandle.fullFence();
        RawMemory.putLongVolatile(base + off, NATIVE_LE ? value : Long.reverseBytes(value));
    }

    private void checkVolatile(long off, int n) {
        checkAccess(off, n);
        // The mapping is page aligned, so the offset's alignment is the address's.
        if ((off & (n - 1)) != 0) {
            throw new MemoryMappingException.Misaligned(off, n);
        }
    }

    // ---------------------------------------------------------------- msync / madvise

    /** msync(MS_SYNC) of the whole mapping. */
    public void msync() {
        ensureOpen();
        // NATIVE: [address, address+size) is this open mapping.
        if (LibcMemory.msync(address, size, LibcMemory.MS_SYNC) != 0) {
            throw new MemoryMappingException.SystemError("msync", LibcMemory.errno());
        }
    }

    /**
     * msync(MS_SYNC) of {@code [off, off + len)}.
     *
     * @throws MemoryMappingException.InvalidAddress if the range is not inside the mapping
     * @throws MemoryMappingException.NotPageAligned if {@code off} is not page aligned
     */
    public void msync(long off, long len) {
        ensureOpen();
        checkAddressRange(off, len);
        // NATIVE: the range was checked to lie in this open mapping, off is page aligned.
        if (LibcMemory.msync(address + off, len, LibcMemory.MS_SYNC) != 0) {
            throw new MemoryMappingException.SystemError("msync", LibcMemory.errno());
        }
    }

    /**
     * madvise of {@code [off, off + len)}.
     *
     * @throws MemoryMappingException.InvalidAddress if the range is not inside the mapping
     * @throws MemoryMappingException.NotPageAligned if {@code off} is not page aligned
     */
    public void madvise(long off, long len, Advice advice) {
        ensureOpen();
        checkAddressRange(off, len);
        advise(off, len, advice.value(), "madvise(" + advice + ")");
    }

    private void checkAddressRange(long off, long len) {
        if (off < 0 || len < 0 || off > size - len) {
            throw new MemoryMappingException.InvalidAddress(off, len, size);
        }
        checkPageAligned(off);
    }

    private void checkPageAligned(long off) {
        long page = LibcMemory.pageSize();
        if (off % page != 0) {
            throw new MemoryMappingException.NotPageAligned("offset", off, page);
        }
    }

    private void advise(long off, long len, int advice, String op) {
        // NATIVE: [off, off+len) was range-checked against this open mapping, off page aligned.
        if (LibcMemory.madvise(address + off, len, advice) != 0) {
            throw new MemoryMappingException.SystemError(op, LibcMemory.errno());
        }
    }

    private void checkExtraRange(long off, long len) {
        ensureOpen();
        if (off < 0 || len < 0 || off > size - len) {
            throw new MemoryMappingException.InvalidRange(off, len, size);
        }
        checkPageAligned(off);
    }

    // ---------------------------------------------------------------- Linux extras

    /**
     * MADV_REMOVE: frees the backing store of the range; later reads see zeros. Needs a shared
     * mapping of shmem/tmpfs or a file system with hole punching (anonymous mappings built here
     * are shared, so they qualify).
     *
     * @throws MemoryMappingException.InvalidRange if the range is not inside the mapping
     */
    public void removeRange(long off, long len) {
        checkExtraRange(off, len);
        advise(off, len, LibcMemory.MADV_REMOVE, "madvise(MADV_REMOVE)");
    }

    /** MADV_WILLNEED: asks the kernel to read the range ahead. */
    public void asyncPrefetch(long off, long len) {
        checkExtraRange(off, len);
        advise(off, len, LibcMemory.MADV_WILLNEED, "madvise(MADV_WILLNEED)");
    }

    /**
     * MADV_DONTNEED: drops the range's pages. Destructive: private pages come back as zeros,
     * shared ones are re-read from the page cache / file.
     */
    public void dropPageCache(long off, long len) {
        checkExtraRange(off, len);
        advise(off, len, LibcMemory.MADV_DONTNEED, "madvise(MADV_DONTNEED)");
    }

    /**
     * mlock2(MLOCK_ONFAULT): pages of the range are locked in RAM as they are faulted in.
     *
     * @throws MemoryMappingException.SystemError {@code ENOMEM}/{@code EPERM} beyond RLIMIT_MEMLOCK
     *     without CAP_IPC_LOCK
     */
    public void lockOnFault(long off, long len) {
        checkExtraRange(off, len);
        // NATIVE: the range was checked to lie in this open mapping.
        if (LibcMemory.mlock2(address + off, len, LibcMemory.MLOCK_ONFAULT) != 0) {
            throw new MemoryMappingException.SystemError("mlock2(MLOCK_ONFAULT)", LibcMemory.errno());
        }
    }

    /** munlock of the range. */
    public void unlock(long off, long len) {
        checkExtraRange(off, len);
        // NATIVE: the range was checked to lie in this open mapping.
        if (LibcMemory.munlock(address + off, len) != 0) {
            throw new MemoryMappingException.SystemError("munlock", LibcMemory.errno());
        }
    }

    /** mlock of the whole mapping (faults every page in and keeps it out of swap). */
    public void lockAll() {
        ensureOpen();
        // NATIVE: [address, address+size) is this open mapping.
        if (LibcMemory.mlock2(address, size, 0) != 0) {
            throw new MemoryMappingException.SystemError("mlock2", LibcMemory.errno());
        }
    }

    /** MADV_HUGEPAGE on the whole mapping; a no-op below 2 MiB, which cannot hold a huge page. */
    public void useHugepages() {
        ensureOpen();
        if (size < HUGE_PAGE_SIZE) {
            return;
        }
        advise(0, size, LibcMemory.MADV_HUGEPAGE, "madvise(MADV_HUGEPAGE)");
    }

    /**
     * Bytes of this mapping that are resident in host memory now (mincore(2), page granular):
     * for guest RAM, how much the guest has touched (or was prefaulted).
     */
    public long residentBytes() {
        return residentPages().cardinality() * LibcMemory.pageSize();
    }

    /**
     * Which pages of this mapping are resident now (mincore(2)): bit {@code i} for the page at
     * offset {@code i * pageSize}. For anonymous guest RAM these are the pages the guest touched;
     * snapshots store only these.
     */
    public java.util.BitSet residentPages() {
        ensureOpen();
        long page = LibcMemory.pageSize();
        long pages = (size + page - 1) / page;
        if (pages > Integer.MAX_VALUE) throw new MemoryMappingException.InvalidRange(0, size, size);
        java.util.BitSet out = new java.util.BitSet((int) pages);
        int chunkPages = 1 << 20;
        byte[] vec = new byte[(int) Math.min(pages, chunkPages)];
        for (long p = 0; p < pages; p += chunkPages) {
            long n = Math.min(chunkPages, pages - p);
            // NATIVE: [address + p*page, +n*page) lies inside this open mapping; vec has n bytes.
            if (LibcMemory.mincore(address + p * page, n * page, vec) != 0) {
                throw new MemoryMappingException.SystemError("mincore", LibcMemory.errno());
            }
            for (int i = 0; i < n; i++) if ((vec[i] & 1) != 0) out.set((int) (p + i));
        }
        return out;
    }

    /** MADV_DONTFORK on the whole mapping: a forked child does not inherit it. */
    public void useDontfork() {
        ensureOpen();
        advise(0, size, LibcMemory.MADV_DONTFORK, "madvise(MADV_DONTFORK)");
    }

    /**
     * Makes host writes to {@code [off, off + len)} visible to a guest reading the range through an
     * uncached mapping: as crosvm does, {@code clflush} of every cache line touching the range
     * ({@link #cacheLineSize()} bytes, from sysconf, 64 by default), between two {@code mfence}s.
     * The instruction comes from native-stubs (Java cannot emit it). On x86 KVM hosts without
     * non-coherent DMA, KVM forces guest RAM to write-back whatever the guest's PAT says, so a
     * fence alone would do; the flush makes the call correct where KVM honours the guest memory
     * type too. {@code len == 0} flushes nothing.
     *
     * @throws MemoryMappingException.InvalidAddress if the range is not inside the mapping
     * @throws MemoryMappingException.AccessDenied if the mapping is not readable (clflush would fault)
     */
    public void flushRegion(long off, long len) {
        flushLines(off, len);
    }

    /** {@link #flushRegion}, returning the number of cache lines flushed (for tests). */
    long flushLines(long off, long len) {
        // clflush is access-checked like a byte load: on a mapping without PROT_READ it would
        // fault (SIGSEGV, the JVM dies), so it is refused like a read.
        long base = readable();
        if (off < 0 || len < 0 || off > size - len) {
            throw new MemoryMappingException.InvalidAddress(off, len, size);
        }
        // NATIVE: [base+off, base+off+len) lies inside this open, readable mapping (checked just above).
        return io.minivmm.kvm.sys.NativeStubs.minivmm_clflush_range(base + off, len, CACHE_LINE_SIZE);
    }

    /** {@link #flushRegion} of the whole mapping, with the same limits. */
    public void flushAll() {
        flushRegion(0, size);
    }

    /**
     * A bounded volatile view of {@code [off, off + len)}; {@code slice(size, 0)} is fine.
     *
     * @throws MemoryMappingException.Overflow if {@code off + len} overflows (or either is negative)
     * @throws MemoryMappingException.OutOfBounds if {@code off + len > size}, naming the end
     */
    public VolatileSlice slice(long off, long len) {
        ensureOpen();
        checkSlice(off, len, size);
        return new VolatileSlice(this, off, len);
    }

    /**
     * A bounded plain-access view of {@code [off, off + len)} that stays safe after
     * {@link #close()}: its accesses throw {@link IllegalStateException} then. Same range rules
     * as {@link #slice}. There is deliberately no raw {@link ByteBuffer} over a mapping, since
     * one cannot be revoked and using it after the unmap crashes the JVM.
     */
    public MemoryView view(long off, long len) {
        ensureOpen();
        checkSlice(off, len, size);
        return new MemoryView.OfMapping(this, off, len);
    }

    static void checkSlice(long off, long len, long size) {
        long end = off + len;
        if (off < 0 || len < 0 || end < 0) {
            throw new MemoryMappingException.Overflow(off, len);
        }
        if (end > size) {
            throw new MemoryMappingException.OutOfBounds(end, size);
        }
    }

    // ---------------------------------------------------------------- close

    /** Unmaps the region. Idempotent; afterwards every other method throws {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        readBase = 0;
        writeBase = 0;
        // NATIVE: [address, address+size) is ours; readBase/writeBase are already 0, so no access path reaches it.
        if (LibcMemory.munmap(address, size) != 0) {
            throw new MemoryMappingException.SystemError("munmap", LibcMemory.errno());
        }
    }

    @Override
    public String toString() {
        return "MemoryMapping[0x" + Long.toHexString(address) + ", " + size + " bytes, " + protection
                + (closed ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------- internals

    private void ensureOpen() {
        if (closed) {
            throw closedError();
        }
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("MemoryMapping of " + size + " bytes is closed");
    }

    private long readable() {
        long base = readBase;
        if (base == 0) {
            throw accessError("read");
        }
        return base;
    }

    private long writable() {
        long base = writeBase;
        if (base == 0) {
            throw accessError("write");
        }
        return base;
    }

    private RuntimeException accessError(String access) {
        return closed ? closedError() : new MemoryMappingException.AccessDenied(access, protection);
    }

    /** Slow path of the primitive accessors: which of their checks failed. */
    private RuntimeException readError(long off, int n) {
        return readBase == 0 ? accessError("read") : new MemoryMappingException.InvalidAddress(off, n, size);
    }

    private RuntimeException writeError(long off, int n) {
        return writeBase == 0 ? accessError("write") : new MemoryMappingException.InvalidAddress(off, n, size);
    }

    private void checkAccess(long off, int n) {
        if (off < 0 || off > size - n) {
            throw new MemoryMappingException.InvalidAddress(off, n, size);
        }
    }

    /** Copies n bytes at host address {@code from} into {@code dst}; the caller checked both ranges. */
    private static void copyOut(long from, byte[] dst, int dstOff, int n) {
        java.util.Objects.checkFromIndexSize(dstOff, n, dst.length);
        for (int done = 0; done < n; ) {
            int k = Math.min(n - done, COPY_PIECE);
            RawMemory.copyOut(from + done, dst, dstOff + done, k);
            done += k;
        }
    }

    /** Copies n bytes of {@code src} to host address {@code to}; the caller checked both ranges. */
    private static void copyIn(long to, byte[] src, int srcOff, int n) {
        java.util.Objects.checkFromIndexSize(srcOff, n, src.length);
        for (int done = 0; done < n; ) {
            int k = Math.min(n - done, COPY_PIECE);
            RawMemory.copyIn(src, srcOff + done, to + done, k);
            done += k;
        }
    }

    // Package-private entry points for VolatileSlice (absolute offsets, already range-checked by it).

    int copyOutAbs(long off, byte[] dst, int dstOff, int n) {
        long base = readable();
        checkAccess(off, n);
        copyOut(base + off, dst, dstOff, n);
        return n;
    }

    int copyInAbs(long off, byte[] src, int srcOff, int n) {
        long base = writable();
        checkAccess(off, n);
        copyIn(base + off, src, srcOff, n);
        return n;
    }
}
