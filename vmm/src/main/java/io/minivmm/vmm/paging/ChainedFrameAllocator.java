package io.minivmm.vmm.paging;

/**
 * Frames from a first allocator until it runs out, then from a second: boot page tables live in
 * the small vCPU area, and what does not fit there spills into a pool elsewhere in guest RAM.
 */
public final class ChainedFrameAllocator implements FrameAllocator {
    private final RangeFrameAllocator first;
    private final RangeFrameAllocator second;

    public ChainedFrameAllocator(RangeFrameAllocator first, RangeFrameAllocator second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public long allocZeroed() throws PagingError {
        try {
            return first.allocZeroed();
        } catch (PagingError e) {
            if (e.kind() != PagingError.Kind.NO_MEMORY || second == null) throw e;
            return second.allocZeroed();
        }
    }

    @Override
    public void free(long frame) {
        if (first.isAllocated(frame)) first.free(frame);
        else if (second != null) second.free(frame);
        else first.free(frame); // reports the bad free
    }

    @Override
    public long allocatedCount() {
        return first.allocatedCount() + (second == null ? 0 : second.allocatedCount());
    }
}
