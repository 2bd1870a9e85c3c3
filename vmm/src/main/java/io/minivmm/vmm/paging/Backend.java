package io.minivmm.vmm.paging;

/**
 * How a {@link MemoryArea} turns into page-table entries (after axmm's / axaddrspace's
 * {@code Backend}). The two real backends are {@link Linear} and {@link Alloc}; the interface is
 * open so tests and special regions can supply their own.
 *
 * <p>Each operation either succeeds or throws with the page table as it was (for the real
 * backends). Addresses and sizes are 4 KiB aligned for the real backends.
 */
public interface Backend {
    /** Maps [start, start+size) with {@code flags}. */
    void map(long start, long size, MappingFlags flags, PageTable64 pt, FrameAllocator frames) throws PagingError;

    /** Unmaps [start, start+size), which lies inside one area of this backend. */
    void unmap(long start, long size, PageTable64 pt, FrameAllocator frames) throws PagingError;

    /** Changes the flags of [start, start+size). */
    void protect(long start, long size, MappingFlags flags, PageTable64 pt) throws PagingError;

    /**
     * Resolves a fault at {@code va} inside an area with {@code flags} (the caller has checked
     * the access against them). True if the page is now mapped.
     */
    boolean handlePageFault(long va, MappingFlags flags, PageTable64 pt, FrameAllocator frames);

    /** {@code va} maps to {@code va - offset}; huge pages where alignment allows. */
    static Backend linear(long offset) {
        return new Linear(offset);
    }

    /** Fresh zeroed frames: all now ({@code populate}) or one per first touch. */
    static Backend alloc(boolean populate) {
        return new Alloc(populate);
    }

    /** A fixed offset between virtual and physical: {@code pa = va - offset}. Never faults. */
    record Linear(long offset) implements Backend {
        @Override
        public void map(long start, long size, MappingFlags flags, PageTable64 pt, FrameAllocator frames)
                throws PagingError {
            pt.mapRegion(start, new java.util.function.LongUnaryOperator() { // not a lambda: docs/STARTUP.md
                @Override
                public long applyAsLong(long va) {
                    return va - offset;
                }
            }, size, flags, true);
        }

        @Override
        public void unmap(long start, long size, PageTable64 pt, FrameAllocator frames) throws PagingError {
            pt.unmapRegion(start, size);
        }

        @Override
        public void protect(long start, long size, MappingFlags flags, PageTable64 pt) throws PagingError {
            pt.protectRegion(start, size, flags);
        }

        @Override
        public boolean handlePageFault(long va, MappingFlags flags, PageTable64 pt, FrameAllocator frames) {
            return false;
        }

        @Override
        public String toString() {
            return String.format("Linear[offset=0x%x]", offset);
        }
    }

    /**
     * One zeroed 4 KiB frame per page from the frame allocator. Populated: all frames now, and
     * a failure frees every frame this call took. Lazy: only the tables now (leaves stay empty),
     * a frame per page on its first fault. Unmapping frees the frames.
     */
    record Alloc(boolean populate) implements Backend {
        private static final long PAGE = 4096;

        @Override
        public void map(long start, long size, MappingFlags flags, PageTable64 pt, FrameAllocator frames)
                throws PagingError {
            if (!populate) {
                pt.prepareRegion(start, size);
                return;
            }
            if (((start | size) & (PAGE - 1)) != 0) {
                throw new PagingError(PagingError.Kind.NOT_ALIGNED,
                        String.format("region 0x%x+0x%x is not 4 KiB aligned", start, size));
            }
            long pages = size >>> 12;
            if (pages > Integer.MAX_VALUE - 8) {
                throw new PagingError(PagingError.Kind.INVALID_ARGUMENT, "too many pages to populate: " + pages);
            }
            long[] taken = new long[(int) pages];
            int n = 0;
            try {
                for (; n < taken.length; n++) {
                    taken[n] = frames.allocZeroed();
                }
                pt.mapRegion(start, va -> taken[(int) ((va - start) >>> 12)], size, flags, false);
            } catch (PagingError | RuntimeException e) {
                for (int i = 0; i < n; i++) {
                    frames.free(taken[i]);
                }
                throw e;
            }
        }

        @Override
        public void unmap(long start, long size, PageTable64 pt, FrameAllocator frames) throws PagingError {
            for (long off = 0; off != size; off += PAGE) {
                long va = start + off;
                if (pt.find(va) != null) {
                    Translation t = pt.unmap(va);
                    if (t.size() == PageSize.SIZE_4K) {
                        frames.free(t.paddr());
                    }
                }
            }
        }

        @Override
        public void protect(long start, long size, MappingFlags flags, PageTable64 pt) throws PagingError {
            for (long off = 0; off != size; off += PAGE) {
                if (pt.find(start + off) != null) {
                    pt.protect(start + off, flags);
                }
            }
        }

        @Override
        public boolean handlePageFault(long va, MappingFlags flags, PageTable64 pt, FrameAllocator frames) {
            long page = va & -PAGE;
            if (pt.find(page) != null) {
                return true; // already resolved (another vCPU, or a spurious fault): nothing to do
            }
            if (populate) {
                return false; // populated memory has no holes to fill
            }
            long frame;
            try {
                frame = frames.allocZeroed();
            } catch (PagingError e) {
                return false;
            }
            try {
                pt.map(page, frame, PageSize.SIZE_4K, flags);
                return true;
            } catch (PagingError e) {
                frames.free(frame);
                return false;
            }
        }
    }
}
