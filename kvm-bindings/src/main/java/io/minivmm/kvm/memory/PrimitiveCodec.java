package io.minivmm.kvm.memory;

/** Base of the u8..u64 codecs in {@link ByteCodec}: a fixed size, little-endian, absolute access. */
abstract class PrimitiveCodec<T> implements ByteCodec<T> {
    private final int size;

    PrimitiveCodec(int size) {
        this.size = size;
    }

    @Override
    public int size() {
        return size;
    }
}
