package io.minivmm.kvm.memory;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibcMemory;
import java.lang.invoke.MethodHandles;
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
 * Accesses go through direct {@link ByteBuffer} views over the mapping (JNA
 * {@link Pointer#getByteBuffer}), one per 1 GiB chunk, so a u64 access is a range check, an array
 * load and a {@code ByteBuffer.getLong} — the JIT intrinsifies that to one load, with no native call.
 * Chosen over {@code sun.misc.Unsafe} because the ByteBuffer re-checks its own bounds (a second line
 * of defence against a bug here crashing the JVM), needs no {@code jdk.unsupported} access, and
 * gives {@link VarHandle} volatile/aligned access for free. Each chunk view extends 8 bytes past
 * its 1 GiB boundary (when the mapping does), so a primitive access never straddles two views; only
 * bulk copies and structs loop over chunks.
 *
 * <h2>Thread safety and close</h2>
 * Reads and writes from several threads are fine (they are plain memory accesses: the caller orders
 * them, or uses the volatile variants). {@link #close()} unmaps the region and drops the views; after
 * it, any method except {@code close()} throws {@link IllegalStateException} instead of touching
 * unmapped memory. Closing while another thread is still accessing the mapping is the caller's bug
 * (that thread may already hold a view and fault on the unmapped page); closing must happen-after
 * every access, and a thread that did not close must see the close through some synchronization to
 * be guaranteed the exception.
 *
 * <h2>Protection</h2>
 * Reads of a mapping without {@code PROT_READ} and writes to one without {@code PROT_WRITE} are
 * refused with {@link MemoryMappingException.AccessDenied} before memory is touched, since the fault
 * would otherwise kill the JVM. For the same reason a file mapping may not extend past the end of a
 * regular file (a SIGBUS on access); see {@link Builder#build()}.
 */
public final class MemoryMapping implements AutoCloseable {
    static final int CHUNK_SHIFT = 30;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final long CHUNK_MASK = CHUNK_SIZE - 1;
    /** Bytes each chunk view extends into the next chunk: the largest primitive access. */
    static final int CHUNK_OVERLAP = Long.BYTES;

    /** Huge pages are 2 MiB on x86-64; smaller mappings cannot use them. */
    static final long HUGE_PAGE_SIZE = 2L << 20;

    private static final VarHandle SHORT_VH =
            MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_VH = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_VH =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int CACHE_LINE_SIZE;

    static {
        // NATIVE: sysconf has no preconditions; 0 or -1 means "unknown", then 64 (x86) is assumed.
        long l = LibcMemory.sysconf(LibcMemory._SC_LEVEL1_DCACHE_LINESIZE);
        CACHE_LINE_SIZE = l > 0 && l <= 4096 ? (int) l : 64;
    }

    private final long address;
    private final long size;
    private final Protection protection;
    /** Views for reading; null if not readable, or after close. */
    private ByteBuffer[] readChunks;
    /** Views for writing; null if not writable, or after close. */
    private ByteBuffer[] writeChunks;
    private boolean closed;

    private MemoryMapping(long address, long size, Protection protection) {
        this.address = address;
        this.size = size;
        this.protection = protection;
        ByteBuffer[] views = null;
        if (protection.readable() || protection.writable()) {
            int n = (int) ((size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
            views = new ByteBuffer[n];
            for (int i = 0; i < n; i++) {
                long start = (long) i << CHUNK_SHIFT;
                long len = Math.min(size - start, (long) CHUNK_SIZE + CHUNK_OVERLAP);
                // Not a native call: wraps [address+start, +len), which lies inside this mapping.
                views[i] = new Pointer(address + start).getByteBuffer(0, len).order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        this.readChunks = protection.readable() ? views : null;
        this.writeChunks = protection.writable() ? views : null;
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
                int errno = Native.getLastError();
                // NATIVE: same fresh mapping; unmapped before anyone could use it.
                LibcMemory.munmap(addr, size);
                throw new MemoryMappingException.SystemError("madvise(MADV_DONTDUMP)", errno);
            }
            return new MemoryMapping(addr, size, protection);
        }

        private long mapPlain(int flags) {
            // NATIVE: no fixed address, so the kernel picks free space; fd is the caller's and
            // validated by the kernel (EBADF), size > 0.
            long addr = LibcMemory.mmap(0, size, protection.bits(), flags, fd, offset);
            if (addr == LibcMemory.MAP_FAILED) {
                throw new MemoryMappingException.SystemError("mmap", Native.getLastError());
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
                throw new MemoryMappingException.SystemError("mmap(reserve)", Native.getLastError());
            }
            long aligned = (base + alignment - 1) & -alignment;
            // NATIVE: [aligned, aligned+mapLen) lies inside the reservation we own, so MAP_FIXED
            // replaces only our own PROT_NONE pages.
            long addr = LibcMemory.mmap(aligned, size, protection.bits(), flags | LibcMemory.MAP_FIXED, fd, offset);
            if (addr == LibcMemory.MAP_FAILED) {
                int errno = Native.getLastError();
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
        ByteBuffer[] c = writable();
        checkSliceOffset(off, buf.length);
        int n = (int) Math.min(size - off, buf.length);
        copyIn(c, off, buf, 0, n);
        return n;
    }

    /**
     * Copies {@code min(size - off, buf.length)} bytes at {@code off} into {@code buf}.
     *
     * @return the number of bytes copied; 0 when {@code off == size}
     * @throws MemoryMappingException.InvalidAddress if {@code off < 0 || off > size}
     */
    public int readSlice(byte[] buf, long off) {
        ByteBuffer[] c = readable();
        checkSliceOffset(off, buf.length);
        int n = (int) Math.min(size - off, buf.length);
        copyOut(c, off, buf, 0, n);
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
        ByteBuffer[] c = writable();
        checkSliceOffset(off, src.remaining());
        int n = (int) Math.min(size - off, src.remaining());
        int pos = src.position();
        int done = 0;
        while (done < n) {
            long o = off + done;
            int idx = (int) (o & CHUNK_MASK);
            int k = Math.min(n - done, CHUNK_SIZE - idx);
            c[(int) (o >>> CHUNK_SHIFT)].put(idx, src, pos + done, k);
            done += k;
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
     */
    public int readSlice(ByteBuffer dst, long off) {
        ByteBuffer[] c = readable();
        checkSliceOffset(off, dst.remaining());
        int n = (int) Math.min(size - off, dst.remaining());
        int pos = dst.position();
        int done = 0;
        while (done < n) {
            long o = off + done;
            int idx = (int) (o & CHUNK_MASK);
            int k = Math.min(n - done, CHUNK_SIZE - idx);
            dst.put(pos + done, c[(int) (o >>> CHUNK_SHIFT)], idx, k);
            done += k;
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
        ByteBuffer[] c = readable();
        checkAccess(off, 1);
        return c[(int) (off >>> CHUNK_SHIFT)].get((int) (off & CHUNK_MASK));
    }

    /** Reads the little-endian u16 at {@code off} (any alignment), as its raw bits. */
    public short readU16(long off) {
        ByteBuffer[] c = readable();
        checkAccess(off, 2);
        return c[(int) (off >>> CHUNK_SHIFT)].getShort((int) (off & CHUNK_MASK));
    }

    /** Reads the little-endian u32 at {@code off} (any alignment), as its raw bits. */
    public int readU32(long off) {
        ByteBuffer[] c = readable();
        checkAccess(off, 4);
        return c[(int) (off >>> CHUNK_SHIFT)].getInt((int) (off & CHUNK_MASK));
    }

    /**
     * Reads the little-endian u64 at {@code off} (any alignment), as its raw bits.
     *
     * @throws MemoryMappingException.InvalidAddress unless {@code 0 <= off <= size - 8}
     */
    public long readU64(long off) {
        ByteBuffer[] c = readable();
        checkAccess(off, 8);
        return c[(int) (off >>> CHUNK_SHIFT)].getLong((int) (off & CHUNK_MASK));
    }

    /** Writes a u8 at {@code off}. Value first, offset last, as in crosvm's {@code write_obj}. */
    public void writeU8(byte value, long off) {
        ByteBuffer[] c = writable();
        checkAccess(off, 1);
        c[(int) (off >>> CHUNK_SHIFT)].put((int) (off & CHUNK_MASK), value);
    }

    /** Writes a little-endian u16 at {@code off} (any alignment). */
    public void writeU16(short value, long off) {
        ByteBuffer[] c = writable();
        checkAccess(off, 2);
        c[(int) (off >>> CHUNK_SHIFT)].putShort((int) (off & CHUNK_MASK), value);
    }

    /** Writes a little-endian u32 at {@code off} (any alignment). */
    public void writeU32(int value, long off) {
        ByteBuffer[] c = writable();
        checkAccess(off, 4);
        c[(int) (off >>> CHUNK_SHIFT)].putInt((int) (off & CHUNK_MASK), value);
    }

    /**
     * Writes a little-endian u64 at {@code off} (any alignment).
     *
     * @throws MemoryMappingException.InvalidAddress unless {@code 0 <= off <= size - 8}
     */
    public void writeU64(long value, long off) {
        ByteBuffer[] c = writable();
        checkAccess(off, 8);
        c[(int) (off >>> CHUNK_SHIFT)].putLong((int) (off & CHUNK_MASK), value);
    }

    /**
     * Reads a whole {@code T} at {@code off} (any alignment) through {@code codec}.
     *
     * @throws MemoryMappingException.InvalidAddress if the object does not fit entirely
     */
    public <T> T readObj(ByteCodec<T> codec, long off) {
        ByteBuffer[] c = readable();
        int n = codec.size();
        checkAccess(off, n);
        byte[] tmp = new byte[n];
        copyOut(c, off, tmp, 0, n);
        return codec.decode(ByteBuffer.wrap(tmp).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Writes a whole {@code T} at {@code off} (any alignment) through {@code codec}. The value is
     * encoded first, so a failing codec leaves memory untouched.
     *
     * @throws MemoryMappingException.InvalidAddress if the object does not fit entirely
     */
    public <T> void writeObj(T value, ByteCodec<T> codec, long off) {
        ByteBuffer[] c = writable();
        int n = codec.size();
        checkAccess(off, n);
        byte[] tmp = new byte[n];
        codec.encode(value, ByteBuffer.wrap(tmp).order(ByteOrder.LITTLE_ENDIAN));
        copyIn(c, off, tmp, 0, n);
    }

    // ---------------------------------------------------------------- volatile

    /**
     * A single volatile u8 load (between full fences: Java has no volatile access mode for a byte
     * of a ByteBuffer). For MMIO-like or shared memory; prefer {@link #readU8} for plain RAM.
     */
    public byte readU8Volatile(long off) {
        ByteBuffer[] c = readable();
        checkAccess(off, 1);
        VarHandle.fullFence();
        byte b = c[(int) (off >>> CHUNK_SHIFT)].get((int) (off & CHUNK_MASK));
        VarHandle.fullFence();
        return b;
    }

    /** A single volatile u16 load; {@code off} must be 2-byte aligned. */
    public short readU16Volatile(long off) {
        ByteBuffer[] c = readable();
        checkVolatile(off, 2);
        return (short) SHORT_VH.getVolatile(c[(int) (off >>> CHUNK_SHIFT)], (int) (off & CHUNK_MASK));
    }

    /** A single volatile u32 load; {@code off} must be 4-byte aligned. */
    public int readU32Volatile(long off) {
        ByteBuffer[] c = readable();
        checkVolatile(off, 4);
        return (int) INT_VH.getVolatile(c[(int) (off >>> CHUNK_SHIFT)], (int) (off & CHUNK_MASK));
    }

    /**
     * A single volatile u64 load.
     *
     * @throws MemoryMappingException.Misaligned unless {@code off} is 8-byte aligned (upstream
     *     does not check; an unaligned access is not single-copy atomic)
     */
    public long readU64Volatile(long off) {
        ByteBuffer[] c = readable();
        checkVolatile(off, 8);
        return (long) LONG_VH.getVolatile(c[(int) (off >>> CHUNK_SHIFT)], (int) (off & CHUNK_MASK));
    }

    /** A full fence, then a single u8 store (followed by a full fence). */
    public void writeU8Volatile(byte value, long off) {
        ByteBuffer[] c = writable();
        checkAccess(off, 1);
        VarHandle.fullFence();
        c[(int) (off >>> CHUNK_SHIFT)].put((int) (off & CHUNK_MASK), value);
        VarHandle.fullFence();
    }

    /** A full fence, then a single volatile u16 store; {@code off} must be 2-byte aligned. */
    public void writeU16Volatile(short value, long off) {
        ByteBuffer[] c = writable();
        checkVolatile(off, 2);
        VarHandle.fullFence();
        SHORT_VH.setVolatile(c[(int) (off >>> CHUNK_SHIFT)], (int) (off & CHUNK_MASK), value);
    }

    /** A full fence, then a single volatile u32 store; {@code off} must be 4-byte aligned. */
    public void writeU32Volatile(int value, long off) {
        ByteBuffer[] c = writable();
        checkVolatile(off, 4);
        VarHandle.fullFence();
        INT_VH.setVolatile(c[(int) (off >>> CHUNK_SHIFT)], (int) (off & CHUNK_MASK), value);
    }

    /** A full fence, then a single volatile u64 store; {@code off} must be 8-byte aligned. */
    public void writeU64Volatile(long value, long off) {
        ByteBuffer[] c = writable();
        checkVolatile(off, 8);
        VarHandle.fullFence();
        LONG_VH.setVolatile(c[(int) (off >>> CHUNK_SHIFT)], (int) (off & CHUNK_MASK), value);
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
            throw new MemoryMappingException.SystemError("msync", Native.getLastError());
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
            throw new MemoryMappingException.SystemError("msync", Native.getLastError());
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
            throw new MemoryMappingException.SystemError(op, Native.getLastError());
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
            throw new MemoryMappingException.SystemError("mlock2(MLOCK_ONFAULT)", Native.getLastError());
        }
    }

    /** munlock of the range. */
    public void unlock(long off, long len) {
        checkExtraRange(off, len);
        // NATIVE: the range was checked to lie in this open mapping.
        if (LibcMemory.munlock(address + off, len) != 0) {
            throw new MemoryMappingException.SystemError("munlock", Native.getLastError());
        }
    }

    /** mlock of the whole mapping (faults every page in and keeps it out of swap). */
    public void lockAll() {
        ensureOpen();
        // NATIVE: [address, address+size) is this open mapping.
        if (LibcMemory.mlock2(address, size, 0) != 0) {
            throw new MemoryMappingException.SystemError("mlock2", Native.getLastError());
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

    /** MADV_DONTFORK on the whole mapping: a forked child does not inherit it. */
    public void useDontfork() {
        ensureOpen();
        advise(0, size, LibcMemory.MADV_DONTFORK, "madvise(MADV_DONTFORK)");
    }

    /**
     * Makes host writes to {@code [off, off + len)} visible to a guest reading the range through an
     * uncached mapping — as far as Java can.
     *
     * <p>crosvm executes {@code clflush} per cache line ({@link #cacheLineSize()}). Java cannot emit
     * clflush and this module adds no native code for it, so this method only range-checks and
     * issues a full fence ({@link VarHandle#fullFence()}, an {@code mfence}-class barrier): it orders
     * the host's stores, it does <b>not</b> write dirty lines back to RAM. That is enough on x86 KVM
     * hosts without non-coherent DMA, where KVM forces guest RAM to write-back regardless of the
     * guest's PAT (so "uncached" guest reads still snoop the caches); it is not enough where KVM
     * honours the guest memory type (non-coherent DMA assigned). Callers who need that case need a
     * native clflush, which does not exist yet.
     *
     * @throws MemoryMappingException.InvalidAddress if the range is not inside the mapping
     */
    public void flushRegion(long off, long len) {
        ensureOpen();
        if (off < 0 || len < 0 || off > size - len) {
            throw new MemoryMappingException.InvalidAddress(off, len, size);
        }
        VarHandle.fullFence();
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
        readChunks = null;
        writeChunks = null;
        // NATIVE: [address, address+size) is ours; the views that referenced it were dropped above.
        if (LibcMemory.munmap(address, size) != 0) {
            throw new MemoryMappingException.SystemError("munmap", Native.getLastError());
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

    private ByteBuffer[] readable() {
        ByteBuffer[] c = readChunks;
        if (c == null) {
            throw accessError("read");
        }
        return c;
    }

    private ByteBuffer[] writable() {
        ByteBuffer[] c = writeChunks;
        if (c == null) {
            throw accessError("write");
        }
        return c;
    }

    private RuntimeException accessError(String access) {
        return closed ? closedError() : new MemoryMappingException.AccessDenied(access, protection);
    }

    private void checkAccess(long off, int n) {
        if (off < 0 || off > size - n) {
            throw new MemoryMappingException.InvalidAddress(off, n, size);
        }
    }

    private static void copyOut(ByteBuffer[] c, long off, byte[] dst, int dstOff, int n) {
        int done = 0;
        while (done < n) {
            long o = off + done;
            int idx = (int) (o & CHUNK_MASK);
            int k = Math.min(n - done, CHUNK_SIZE - idx);
            c[(int) (o >>> CHUNK_SHIFT)].get(idx, dst, dstOff + done, k);
            done += k;
        }
    }

    private static void copyIn(ByteBuffer[] c, long off, byte[] src, int srcOff, int n) {
        int done = 0;
        while (done < n) {
            long o = off + done;
            int idx = (int) (o & CHUNK_MASK);
            int k = Math.min(n - done, CHUNK_SIZE - idx);
            c[(int) (o >>> CHUNK_SHIFT)].put(idx, src, srcOff + done, k);
            done += k;
        }
    }

    // Package-private entry points for VolatileSlice (absolute offsets, already range-checked by it).

    int copyOutAbs(long off, byte[] dst, int dstOff, int n) {
        copyOut(readable(), off, dst, dstOff, n);
        return n;
    }

    int copyInAbs(long off, byte[] src, int srcOff, int n) {
        copyIn(writable(), off, src, srcOff, n);
        return n;
    }
}
