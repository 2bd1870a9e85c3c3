package io.minivmm.kvm.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A malloc'd scratch buffer for ioctl arguments: a little-endian {@link ByteBuffer} view for
 * field access and its native address for the call. Owned by one fd object; freed on close.
 */
public final class NativeBuffer implements AutoCloseable {
    private final Memory memory;
    private final ByteBuffer buffer;
    private final long address;
    private volatile boolean closed;

    public NativeBuffer(int size) {
        this.memory = new Memory(size);
        this.memory.clear();
        this.buffer = memory.getByteBuffer(0, size).order(ByteOrder.LITTLE_ENDIAN);
        this.address = Pointer.nativeValue(memory);
    }

    /** The view, positioned at 0, zeroed over {@code len} bytes. */
    public ByteBuffer cleared(int len) {
        check();
        memory.clear(len);
        return buffer.clear();
    }

    /**
     * The view, positioned at 0. Never touch a view after {@link #close()}: it points at freed
     * C heap (a write there corrupts the JVM's own native memory), which is why every accessor
     * here refuses a closed buffer.
     */
    public ByteBuffer buffer() {
        check();
        return buffer.clear();
    }

    public long address() {
        check();
        return address;
    }

    public int size() { return (int) memory.size(); }

    private void check() {
        if (closed) throw new IllegalStateException("native buffer used after close");
    }

    /** Frees the memory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        memory.close();
    }
}
