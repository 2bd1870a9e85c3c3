package io.minivmm.vmm.paging;

/** A range [start, start+size) of virtual addresses with its flags and backend. */
public record MemoryArea(long start, long size, MappingFlags flags, Backend backend) {
    /** One past the last address (unsigned). */
    public long end() {
        return start + size;
    }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr - start, size) < 0;
    }

    @Override
    public String toString() {
        return String.format("MemoryArea[0x%x..0x%x, %s, %s]", start, end(), flags, backend);
    }
}
