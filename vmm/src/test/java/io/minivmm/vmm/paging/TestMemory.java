package io.minivmm.vmm.paging;

import java.util.ArrayList;
import java.util.List;

/** Fixtures shared by the paging tests. */
final class TestMemory {
    /** Table frames live in [TABLES, TABLES + size). */
    static final long TABLES = 0x10_0000;

    final ArrayPhysMemory mem;
    final RangeFrameAllocator frames;
    final FailingAllocator failing;

    TestMemory(int tableBytes) {
        mem = new ArrayPhysMemory(0, (int) TABLES + tableBytes);
        frames = new RangeFrameAllocator(mem, TABLES, TABLES + tableBytes);
        failing = new FailingAllocator(frames);
    }

    PageTable64 table() throws PagingError {
        return PageTable64.create(mem, failing);
    }

    /** Every entry in use, as text: the table's complete state as queries and CPUs see it. */
    static List<String> snapshot(PageTable64 pt) {
        List<String> out = new ArrayList<>();
        pt.walk(PageTable64.WalkEntries.IN_USE, 512, (level, index, va, e) -> out.add(level + ":" + index + ":" + Long.toHexString(va)
                + "=" + Long.toHexString(e)), null);
        return out;
    }

    /** Delegates, but fails with NO_MEMORY once {@code budget} allocations have been made. */
    static final class FailingAllocator implements FrameAllocator {
        private final FrameAllocator inner;
        long budget = Long.MAX_VALUE;

        FailingAllocator(FrameAllocator inner) {
            this.inner = inner;
        }

        @Override
        public long allocZeroed() throws PagingError {
            if (budget <= 0) {
                throw new PagingError(PagingError.Kind.NO_MEMORY, "test budget exhausted");
            }
            budget--;
            return inner.allocZeroed();
        }

        @Override
        public void free(long frame) {
            inner.free(frame);
        }

        @Override
        public long allocatedCount() {
            return inner.allocatedCount();
        }
    }
}
