package io.minivmm.vmm.paging;

import io.minivmm.vmm.memory.PhysMemory;
import java.util.BitSet;

/**
 * Frames from the guest-physical range [start, end): a bump pointer plus a free list (LIFO, so
 * a freed frame is reused first). Double frees and foreign frames are host bugs and throw
 * {@link IllegalArgumentException}. Not thread-safe.
 */
public final class RangeFrameAllocator implements FrameAllocator {
    private static final long FRAME = 4096;

    private final PhysMemory memory;
    private final long start;
    private final long end;
    private final BitSet inUse = new BitSet();
    private long next;
    private long[] freeList = new long[64];
    private int freeCount;
    private long allocated;

    public RangeFrameAllocator(PhysMemory memory, long start, long end) {
        if ((start & (FRAME - 1)) != 0 || (end & (FRAME - 1)) != 0 || Long.compareUnsigned(end, start) < 0) {
            throw new IllegalArgumentException(String.format("bad frame range [0x%x, 0x%x)", start, end));
        }
        if (((end - start) >>> 12) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame range too large");
        }
        this.memory = memory;
        this.start = start;
        this.end = end;
        this.next = start;
    }

    @Override
    public long allocZeroed() throws PagingError {
        long frame;
        if (freeCount > 0) {
            frame = freeList[--freeCount];
        } else if (next != end) {
            frame = next;
            next += FRAME;
        } else {
            throw new PagingError(PagingError.Kind.NO_MEMORY,
                    String.format("no free frame in [0x%x, 0x%x)", start, end));
        }
        memory.fill(frame, FRAME, (byte) 0);
        inUse.set(index(frame));
        allocated++;
        return frame;
    }

    @Override
    public void free(long frame) {
        if ((frame & (FRAME - 1)) != 0 || Long.compareUnsigned(frame, start) < 0
                || Long.compareUnsigned(frame, next) >= 0 || !inUse.get(index(frame))) {
            throw new IllegalArgumentException(String.format("freeing frame 0x%x that is not allocated", frame));
        }
        inUse.clear(index(frame));
        if (freeCount == freeList.length) {
            long[] bigger = new long[freeList.length * 2];
            System.arraycopy(freeList, 0, bigger, 0, freeCount);
            freeList = bigger;
        }
        freeList[freeCount++] = frame;
        allocated--;
    }

    @Override
    public long allocatedCount() {
        return allocated;
    }

    /** Frames still available. */
    public long freeFrames() {
        return freeCount + ((end - next) >>> 12);
    }

    /** True if {@code frame} is currently allocated from this allocator. */
    public boolean isAllocated(long frame) {
        return Long.compareUnsigned(frame, start) >= 0 && Long.compareUnsigned(frame, next) < 0
                && (frame & (FRAME - 1)) == 0 && inUse.get(index(frame));
    }

    private int index(long frame) {
        return (int) ((frame - start) >>> 12);
    }
}
