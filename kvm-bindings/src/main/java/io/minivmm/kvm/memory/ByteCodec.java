package io.minivmm.kvm.memory;

import java.nio.ByteBuffer;

/**
 * A fixed-layout, fixed-size encoding of {@code T}, for {@link MemoryMapping#readObj} and
 * {@link MemoryMapping#writeObj}. The buffers handed to {@link #encode} and {@link #decode} are
 * little-endian, positioned at 0, with exactly {@link #size()} bytes remaining; relative or absolute
 * access are both fine.
 *
 * <pre>{@code
 * record E820Entry(long addr, long size, int type) {}
 * ByteCodec<E820Entry> E820 = new ByteCodec<>() {
 *     public int size() { return 20; }
 *     public void encode(E820Entry e, ByteBuffer b) { b.putLong(e.addr()).putLong(e.size()).putInt(e.type()); }
 *     public E820Entry decode(ByteBuffer b) { return new E820Entry(b.getLong(), b.getLong(), b.getInt()); }
 * };
 * mapping.writeObj(new E820Entry(0, 0x9fc00, 1), E820, 0x2d0);
 * }</pre>
 *
 * @param <T> the Java type
 */
public interface ByteCodec<T> {
    /** Encoded size in bytes; constant for a codec. */
    int size();

    void encode(T value, ByteBuffer dst);

    T decode(ByteBuffer src);

    /** u8 as the raw bits in a {@code Byte}. */
    ByteCodec<Byte> U8 = new PrimitiveCodec<>(1) {
        public void encode(Byte v, ByteBuffer b) { b.put(0, v); }
        public Byte decode(ByteBuffer b) { return b.get(0); }
    };
    /** u16 (little-endian) as the raw bits in a {@code Short}. */
    ByteCodec<Short> U16 = new PrimitiveCodec<>(2) {
        public void encode(Short v, ByteBuffer b) { b.putShort(0, v); }
        public Short decode(ByteBuffer b) { return b.getShort(0); }
    };
    /** u32 (little-endian) as the raw bits in an {@code Integer}. */
    ByteCodec<Integer> U32 = new PrimitiveCodec<>(4) {
        public void encode(Integer v, ByteBuffer b) { b.putInt(0, v); }
        public Integer decode(ByteBuffer b) { return b.getInt(0); }
    };
    /** u64 (little-endian) as the raw bits in a {@code Long}. */
    ByteCodec<Long> U64 = new PrimitiveCodec<>(8) {
        public void encode(Long v, ByteBuffer b) { b.putLong(0, v); }
        public Long decode(ByteBuffer b) { return b.getLong(0); }
    };
}
