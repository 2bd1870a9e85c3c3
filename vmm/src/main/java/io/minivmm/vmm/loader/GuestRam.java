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
}
