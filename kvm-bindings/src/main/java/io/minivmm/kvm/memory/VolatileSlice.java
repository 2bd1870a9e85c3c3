package io.minivmm.kvm.memory;

/**
 * A bounded view of {@code [offset, offset + size)} of a {@link MemoryMapping} whose primitive
 * accesses are all volatile (single access, natural alignment required, full fence before a
 * store). Bulk copies are plain copies between two full fences. Valid while its mapping is open;
 * afterwards every method throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * VolatileSlice ring = mapping.slice(0x1000, 0x100);
 * ring.writeU16((short) 1, 2);           // volatile, 2-byte aligned
 * int idx = ring.readU16(2);
 * }</pre>
 */
public final class VolatileSlice {
    private final MemoryMapping mapping;
    private final long offset;
    private final long size;

    VolatileSlice(MemoryMapping mapping, long offset, long size) {
        this.mapping = mapping;
        this.offset = offset;
        this.size = size;
    }

    public long size() {
        return size;
    }

    /** Offset of this slice within its mapping. */
    public long offset() {
        return offset;
    }

    /** Host virtual address of the slice's first byte: the mapping's address plus {@link #offset()}. */
    public long address() {
        return mapping.hostAddress() + offset;
    }

    /**
     * A sub-slice, with the same rules as {@link MemoryMapping#slice(long, long)} relative to this one.
     *
     * @throws MemoryMappingException.Overflow if {@code off + len} overflows
     * @throws MemoryMappingException.OutOfBounds if it would end past this slice
     */
    public VolatileSlice subSlice(long off, long len) {
        mapping.hostAddress(); // closed check
        MemoryMapping.checkSlice(off, len, size);
        return new VolatileSlice(mapping, offset + off, len);
    }

    public byte readU8(long off) {
        return mapping.readU8Volatile(at(off, 1));
    }

    public short readU16(long off) {
        return mapping.readU16Volatile(at(off, 2));
    }

    public int readU32(long off) {
        return mapping.readU32Volatile(at(off, 4));
    }

    public long readU64(long off) {
        return mapping.readU64Volatile(at(off, 8));
    }

    public void writeU8(byte value, long off) {
        mapping.writeU8Volatile(value, at(off, 1));
    }

    public void writeU16(short value, long off) {
        mapping.writeU16Volatile(value, at(off, 2));
    }

    public void writeU32(int value, long off) {
        mapping.writeU32Volatile(value, at(off, 4));
    }

    public void writeU64(long value, long off) {
        mapping.writeU64Volatile(value, at(off, 8));
    }

    /** Copies {@code min(size, dst.length)} bytes from the start of the slice; returns the count. */
    public int copyTo(byte[] dst) {
        int n = (int) Math.min(size, dst.length);
        java.lang.invoke.VarHandle.fullFence();
        mapping.copyOutAbs(offset, dst, 0, n);
        java.lang.invoke.VarHandle.fullFence();
        return n;
    }

    /** Copies {@code min(size, src.length)} bytes to the start of the slice; returns the count. */
    public int copyFrom(byte[] src) {
        int n = (int) Math.min(size, src.length);
        java.lang.invoke.VarHandle.fullFence();
        mapping.copyInAbs(offset, src, 0, n);
        java.lang.invoke.VarHandle.fullFence();
        return n;
    }

    private long at(long off, int n) {
        if (off < 0 || off > size - n) {
            throw new MemoryMappingException.InvalidAddress(off, n, size);
        }
        return offset + off;
    }

    @Override
    public String toString() {
        return "VolatileSlice[offset " + offset + ", " + size + " bytes of " + mapping + "]";
    }
}
