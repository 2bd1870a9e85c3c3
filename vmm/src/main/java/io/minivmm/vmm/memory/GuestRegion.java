package io.minivmm.vmm.memory;

import io.minivmm.kvm.memory.MemoryMapping;

/** One contiguous range of guest RAM: a host mapping placed at a guest-physical base, one KVM slot. */
public record GuestRegion(int slot, long base, MemoryMapping mapping) {
    public long size() { return mapping.size(); }

    /** Exclusive end address. */
    public long end() { return base + mapping.size(); }

    public boolean contains(long gpa) {
        return Long.compareUnsigned(gpa, base) >= 0 && Long.compareUnsigned(gpa - base, mapping.size()) < 0;
    }

    @Override
    public String toString() { return String.format("slot %d [0x%x, 0x%x)", slot, base, end()); }
}
