package io.minivmm.vmm.devices.virtio;

import io.minivmm.vmm.memory.PhysMemory;
import java.nio.ByteBuffer;

/**
 * One request popped from a {@link Virtqueue}: its head index and its buffers, the device-readable
 * ones first, then the device-writable ones (the walker refuses any other order). Every segment
 * was checked to lie in guest RAM before the chain was handed out. The arrays are preallocated
 * with the queue's size and reused for the next chain: a chain is valid until the next pop.
 */
public final class DescriptorChain {
    final long[] addr;
    final int[] len;
    int count;
    int readable;
    int head;
    private final PhysMemory memory;

    DescriptorChain(PhysMemory memory, int capacity) {
        this.memory = memory;
        this.addr = new long[capacity];
        this.len = new int[capacity];
    }

    void clear(int head) {
        this.head = head;
        count = 0;
        readable = 0;
    }

    /** The head descriptor index (what goes into the used ring). */
    public int head() { return head; }

    /** Number of buffers. */
    public int segments() { return count; }

    /** Number of device-readable buffers (they come first). */
    public int readableSegments() { return readable; }

    public long address(int i) { return addr[i]; }

    /** Length in bytes of buffer {@code i} (unsigned 32-bit in the ring, at most 2^32-1). */
    public long length(int i) { return Integer.toUnsignedLong(len[i]); }

    /** Total bytes of the device-readable buffers. */
    public long readableLength() {
        long n = 0;
        for (int i = 0; i < readable; i++) n += length(i);
        return n;
    }

    /** Total bytes of the device-writable buffers. */
    public long writableLength() {
        long n = 0;
        for (int i = readable; i < count; i++) n += length(i);
        return n;
    }

    /** Copies up to {@code n} bytes from offset {@code from} of the readable part into {@code dst}; returns the count copied. */
    public int read(long from, byte[] dst, int off, int n) {
        return copy(0, readable, from, dst, off, n, false);
    }

    /** Copies up to {@code n} bytes into offset {@code from} of the writable part; returns the count copied. */
    public int write(long from, byte[] src, int off, int n) {
        return copy(readable, count, from, src, off, n, true);
    }

    private int copy(int first, int end, long from, byte[] a, int off, int n, boolean toGuest) {
        int done = 0;
        long skip = from;
        for (int i = first; i < end && done < n; i++) {
            long l = length(i);
            if (skip >= l) {
                skip -= l;
                continue;
            }
            int k = (int) Math.min(l - skip, n - done);
            if (toGuest) memory.write(addr[i] + skip, a, off + done, k);
            else memory.read(addr[i] + skip, a, off + done, k);
            done += k;
            skip = 0;
        }
        return done;
    }

    /** The guest memory the buffers live in. */
    public PhysMemory memory() { return memory; }
}
