package io.minivmm.vmm.paging;

import io.minivmm.vmm.memory.PhysMemory;

/**
 * Page tables in guest-physical memory: handles are guest-physical addresses. Without a frame
 * allocator it is read-only (what a crash report or a debugger walking the guest's own CR3 needs).
 */
public final class PhysTableAccess implements TableAccess {
    private final PhysMemory mem;
    private final FrameAllocator frames;

    /** Read-write, allocating tables from {@code frames}. */
    public PhysTableAccess(PhysMemory mem, FrameAllocator frames) {
        this.mem = mem;
        this.frames = frames;
    }

    /** Read-only. */
    public PhysTableAccess(PhysMemory mem) {
        this(mem, null);
    }

    @Override
    public long readEntry(long table, int index) {
        return mem.readU64(table + 8L * index);
    }

    @Override
    public void writeEntry(long table, int index, long entry) {
        mem.writeU64(table + 8L * index, entry);
    }

    @Override
    public long allocTable() throws PagingError {
        if (frames == null) {
            throw new UnsupportedOperationException("read-only table access");
        }
        return frames.allocZeroed();
    }

    @Override
    public long fromPhys(long paddr) {
        return paddr;
    }

    @Override
    public long toPhys(long table) {
        return table;
    }
}
