package io.minivmm.vmm.loader;

import java.util.List;

/**
 * The loader's minimal view of guest memory. A stand-in for {@code io.minivmm.vmm.memory.GuestMemory}
 * (written in parallel); an adapter over it is one small class.
 *
 * <p>The loader checks every range against {@link #ramRanges()} before it writes, so a write that
 * {@link #write} rejects is a loader bug, not bad input.
 */
public interface GuestRam {
    /** Bytes of guest RAM. */
    long size();

    /** Usable RAM ranges as {@code [start, endExclusive)}, ascending; there may be a hole below 4 GiB. */
    List<long[]> ramRanges();

    /** Copies {@code src[off, off+len)} to guest-physical {@code gpa}; throws if outside RAM. */
    void write(long gpa, byte[] src, int off, int len);

    /**
     * Ranges of RAM the platform keeps for itself (its tables, firmware data): no image or boot
     * structure may be placed there. The default is the EBDA below 0xA0000 where a PC keeps its
     * MP table; a machine reports what its parts actually claimed.
     */
    default List<BootPlan.Region> reservedRanges() {
        return List.of(new BootPlan.Region("EBDA (MP table)", Layout.LEGACY_HOLE, Layout.EBDA_END - Layout.LEGACY_HOLE, 0, true));
    }

    /**
     * The memory map the guest is given (e820, PVH memmap, Multiboot mmap), ascending. The default
     * is RAM with the legacy window {@code [0x9fc00, 0x100000)} reported as reserved.
     */
    default List<BootPlan.E820Entry> memoryMap() { return Layout.defaultE820(this); }
}
