package io.minivmm.vmm.paging;

/** A source of 4 KiB guest-physical frames, for page tables and for Alloc-backed memory. */
public interface FrameAllocator {
    /** One 4 KiB-aligned frame, zero-filled; {@link PagingError.Kind#NO_MEMORY} when exhausted. */
    long allocZeroed() throws PagingError;

    /** Returns a frame obtained from {@link #allocZeroed}; freeing anything else is a bug. */
    void free(long frame);

    /** How many frames are allocated and not yet freed. */
    long allocatedCount();
}
