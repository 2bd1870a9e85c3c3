package io.minivmm.kvm.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A bounded window {@code [0, size)} onto memory with plain (not volatile) little-endian
 * accesses, every one range-checked: what code that cannot take a whole mapping (e.g. an address
 * space's per-page translated buffers) uses for bulk and primitive access.
 *
 * <p>It replaces the raw direct {@link java.nio.ByteBuffer} that used to be handed out over a
 * mapping. A direct buffer cannot be revoked, so one used after its mapping was unmapped touched
 * unmapped memory and killed the JVM with SIGSEGV. A view over a {@link MemoryMapping} instead
 * goes through the mapping's own accessors, which refuse every access once the mapping is closed
 * ({@link IllegalStateException}); the cost is one more compare per access, measured in
 * docs/BENCHMARKS.md. The same closing rule as the mapping's applies: the close must happen-after
 * the last access of another thread.
 *
 * <pre>{@code
 * MemoryView page = mapping.view(0x3000, 4096);
 * page.writeU64(0x1234, 8);
 * mapping.close();
 * page.readU64(8);   // IllegalStateException, not a crash
 * }</pre>
 */
public sealed interface MemoryView permits MemoryView.OfMapping, MemoryView.OfArray {
    long size();

    byte readU8(long off);

    short readU16(long off);

    int readU32(long off);

    long readU64(long off);

    void writeU8(byte value, long off);

    void writeU16(short value, long off);

    void writeU32(int value, long off);

    void writeU64(long value, long off);

    /** Copies {@code len} bytes at {@code off} into {@code dst[dstOff..]}. */
    void read(long off, byte[] dst, int dstOff, int len);

    /** Copies {@code len} bytes of {@code src[srcOff..]} to {@code off}. */
    void write(long off, byte[] src, int srcOff, int len);

    /** The window {@code [off, off+len)} of this one, with the rules of {@link MemoryMapping#slice}. */
    MemoryView subView(long off, long len);

    /** A view of {@code array[off, off+len)}: for memory that is a Java array (tests, tools). */
    static MemoryView of(byte[] array, int off, int len) {
        Objects.checkFromIndexSize(off, len, array.length);
        return new OfArray(array, off, len);
    }

    /** The offset itself if {@code [off, off+n)} lies in {@code [0, size)}. */
    private static long check(long off, long n, long size) {
        if (off < 0 || n < 0 || off > size - n) {
            throw new MemoryMappingException.InvalidAddress(off, n, size);
        }
        return off;
    }

    /** A view of part of a {@link MemoryMapping}; made by {@link MemoryMapping#view}. */
    final class OfMapping implements MemoryView {
        private final MemoryMapping mapping;
        private final long offset;
        private final long size;

        OfMapping(MemoryMapping mapping, long offset, long size) {
            this.mapping = mapping;
            this.offset = offset;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        // Each accessor checks the window, then the mapping checks open, permission and range
        // again (its checks are what make use after close an exception).

        @Override
        public byte readU8(long off) {
            return mapping.readU8(offset + check(off, 1, size));
        }

        @Override
        public short readU16(long off) {
            return mapping.readU16(offset + check(off, 2, size));
        }

        @Override
        public int readU32(long off) {
            return mapping.readU32(offset + check(off, 4, size));
        }

        @Override
        public long readU64(long off) {
            return mapping.readU64(offset + check(off, 8, size));
        }

        @Override
        public void writeU8(byte value, long off) {
            mapping.writeU8(value, offset + check(off, 1, size));
        }

        @Override
        public void writeU16(short value, long off) {
            mapping.writeU16(value, offset + check(off, 2, size));
        }

        @Override
        public void writeU32(int value, long off) {
            mapping.writeU32(value, offset + check(off, 4, size));
        }

        @Override
        public void writeU64(long value, long off) {
            mapping.writeU64(value, offset + check(off, 8, size));
        }

        @Override
        public void read(long off, byte[] dst, int dstOff, int len) {
            mapping.copyOutAbs(offset + check(off, len, size), dst, dstOff, len);
        }

        @Override
        public void write(long off, byte[] src, int srcOff, int len) {
            mapping.copyInAbs(offset + check(off, len, size), src, srcOff, len);
        }

        @Override
        public MemoryView subView(long off, long len) {
            MemoryMapping.checkSlice(off, len, size);
            return new OfMapping(mapping, offset + off, len);
        }

        @Override
        public String toString() {
            return "MemoryView[offset " + offset + ", " + size + " bytes of " + mapping + "]";
        }
    }

    /** A view of part of a Java array. */
    final class OfArray implements MemoryView {
        private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private final byte[] array;
        private final int offset;
        private final int size;

        private OfArray(byte[] array, int offset, int size) {
            this.array = array;
            this.offset = offset;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        private int at(long off, int n) {
            return offset + (int) check(off, n, size);
        }

        @Override
        public byte readU8(long off) {
            return array[at(off, 1)];
        }

        @Override
        public short readU16(long off) {
            return (short) U16.get(array, at(off, 2));
        }

        @Override
        public int readU32(long off) {
            return (int) U32.get(array, at(off, 4));
        }

        @Override
        public long readU64(long off) {
            return (long) U64.get(array, at(off, 8));
        }

        @Override
        public void writeU8(byte value, long off) {
            array[at(off, 1)] = value;
        }

        @Override
        public void writeU16(short value, long off) {
            U16.set(array, at(off, 2), value);
        }

        @Override
        public void writeU32(int value, long off) {
            U32.set(array, at(off, 4), value);
        }

        @Override
        public void writeU64(long value, long off) {
            U64.set(array, at(off, 8), value);
        }

        @Override
        public void read(long off, byte[] dst, int dstOff, int len) {
            System.arraycopy(array, at(off, len), dst, dstOff, len);
        }

        @Override
        public void write(long off, byte[] src, int srcOff, int len) {
            System.arraycopy(src, srcOff, array, at(off, len), len);
        }

        @Override
        public MemoryView subView(long off, long len) {
            MemoryMapping.checkSlice(off, len, size);
            return new OfArray(array, offset + (int) off, (int) len);
        }
    }
}
