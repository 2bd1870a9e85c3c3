package io.minivmm.vmm.loader;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects everything a loader wants to put in guest RAM, checks each range (inside one RAM range,
 * no address wrap-around, no overlap with anything placed before) and only then writes. A loader
 * that fails leaves guest RAM untouched. All address comparisons are unsigned.
 */
final class Placement {
    private record Claim(String what, long start, long end, byte[] src, int off, long len, boolean reserved,
            ModuleSource source) {
    }

    /** Zeros are written from a buffer of at most this many bytes, allocated at the first need. */
    private static final int ZERO_CHUNK = 1 << 16;

    private final String fmt;
    private final GuestRam ram;
    private final List<long[]> ranges;
    private final List<Claim> claims = new ArrayList<>();

    Placement(String fmt, GuestRam ram) {
        this.fmt = fmt;
        this.ram = ram;
        this.ranges = mergedRanges(ram);
    }

    /** Ranges by start, unsigned: a class, not a lambda, on every boot's path (docs/STARTUP.md). */
    private static final java.util.Comparator<long[]> BY_START = new java.util.Comparator<long[]>() {
        @Override
        public int compare(long[] a, long[] b) {
            return Long.compareUnsigned(a[0], b[0]);
        }
    };

    /** RAM ranges sorted (unsigned) with touching/overlapping ranges merged; empty ones dropped. */
    static List<long[]> mergedRanges(GuestRam ram) {
        List<long[]> in = new ArrayList<>();
        for (long[] r : ram.ramRanges()) {
            if (Long.compareUnsigned(r[1], r[0]) > 0) {
                in.add(new long[] {r[0], r[1]});
            }
        }
        in.sort(BY_START);
        List<long[]> out = new ArrayList<>();
        for (long[] r : in) {
            if (!out.isEmpty() && Long.compareUnsigned(r[0], out.get(out.size() - 1)[1]) <= 0) {
                long[] last = out.get(out.size() - 1);
                if (Long.compareUnsigned(r[1], last[1]) > 0) {
                    last[1] = r[1];
                }
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Keep {@code [start, start+size)} free without writing; if {@code mustBeRam}, it must be RAM. */
    void reserve(String what, long start, long size, boolean mustBeRam) throws ImageException {
        long end = checkedEnd(what, start, size);
        if (size == 0) {
            return;
        }
        if (mustBeRam) {
            checkRam(what, start, end);
        }
        checkOverlap(what, start, end);
        claims.add(new Claim(what, start, end, null, 0, 0, true, null));
    }

    /** Keeps every range the platform reserved ({@link GuestRam#reservedRanges()}) free. */
    void reservePlatform() throws ImageException {
        for (BootPlan.Region r : ram.reservedRanges()) reserve(r.what(), r.gpa(), r.size(), false);
    }

    /** Place {@code src[off, off+len)} at {@code gpa}, zero-filled up to {@code memsz} bytes. */
    void place(String what, long gpa, byte[] src, int off, int len, long memsz) throws ImageException {
        if (!ImageBytes.inBounds(off, len, src.length)) {
            throw new IndexOutOfBoundsException(what + ": loader bug, source slice out of bounds"); // host-side bug
        }
        if (Long.compareUnsigned(len, memsz) > 0) {
            throw new ImageException(String.format("%s: %s file size 0x%x exceeds memory size 0x%x", fmt, what, len, memsz));
        }
        long end = checkedEnd(what, gpa, memsz);
        if (memsz == 0) {
            return;
        }
        checkRam(what, gpa, end);
        checkOverlap(what, gpa, end);
        claims.add(new Claim(what, gpa, end, src, off, len, false, null));
    }

    /** Place a module's contents at {@code gpa}; a file is streamed into RAM at {@link #commit()}. */
    void place(String what, long gpa, ModuleSource source) throws ImageException {
        long end = checkedEnd(what, gpa, source.size());
        if (source.size() == 0) {
            return;
        }
        checkRam(what, gpa, end);
        checkOverlap(what, gpa, end);
        claims.add(new Claim(what, gpa, end, null, 0, source.size(), false, source));
    }

    void place(String what, long gpa, byte[] src) throws ImageException {
        place(what, gpa, src, 0, src.length, src.length);
    }

    /**
     * The highest {@code align}-aligned address {@code a} such that {@code [a, a+size)} is RAM, free,
     * and ends at or below {@code limit} (unsigned, exclusive). Does not claim it.
     */
    long highest(String what, long size, long align, long limit) throws ImageException {
        for (int i = ranges.size() - 1; i >= 0; i--) {
            long rs = ranges.get(i)[0];
            long top = Long.compareUnsigned(ranges.get(i)[1], limit) < 0 ? ranges.get(i)[1] : limit;
            while (Long.compareUnsigned(top, rs) > 0 && Long.compareUnsigned(top - rs, size) >= 0) {
                long start = (top - size) & -align;
                if (Long.compareUnsigned(start, rs) < 0) {
                    break;
                }
                Claim c = firstOverlap(start, start + size);
                if (c == null) {
                    return start;
                }
                top = c.start;
            }
        }
        throw new ImageException(String.format("%s: no room in guest RAM for %s (%d bytes) below 0x%x",
                fmt, what, size, limit));
    }

    /**
     * Where a boot structure of {@code size} bytes goes: {@code preferred} when that range is
     * RAM and free, else the highest free {@code align}-aligned range below the EBDA
     * ({@link Layout#LEGACY_HOLE}), so that it stays in low memory around the image. Does not
     * claim it.
     */
    long around(String what, long preferred, long size, long align) throws ImageException {
        return around(what, preferred, size, align, Layout.LEGACY_HOLE);
    }

    /** As {@link #around(String, long, long, long)}, the fallback ending at or below {@code limit}. */
    long around(String what, long preferred, long size, long align, long limit) throws ImageException {
        long end = checkedEnd(what, preferred, size);
        if (isRam(preferred, end) && firstOverlap(preferred, end) == null) {
            return preferred;
        }
        return highest(what, size, align, limit);
    }

    private boolean isRam(long start, long end) {
        for (long[] r : ranges) {
            if (Long.compareUnsigned(start, r[0]) >= 0 && Long.compareUnsigned(end, r[1]) <= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes everything placed, in order, and returns the report.
     *
     * @throws java.io.UncheckedIOException when a module file cannot be read (guest RAM may then be partly written)
     */
    List<BootPlan.Region> commit() {
        List<BootPlan.Region> out = new ArrayList<>();
        byte[] zeros = new byte[0];
        for (Claim c : claims) {
            if (!c.reserved) {
                if (c.source != null) {
                    c.source.copyTo(ram, c.start);
                } else if (c.len > 0) {
                    ram.write(c.start, c.src, c.off, (int) c.len);
                }
                long pos = c.start + c.len;
                while (Long.compareUnsigned(pos, c.end) < 0) {
                    long left = c.end - pos;
                    if (zeros.length < ZERO_CHUNK && Long.compareUnsigned(left, zeros.length) > 0) {
                        zeros = new byte[Long.compareUnsigned(left, ZERO_CHUNK) < 0 ? (int) left : ZERO_CHUNK];
                    }
                    int n = Long.compareUnsigned(left, zeros.length) < 0 ? (int) left : zeros.length;
                    ram.write(pos, zeros, 0, n);
                    pos += n;
                }
            }
            out.add(new BootPlan.Region(c.what, c.start, c.end - c.start, c.reserved ? 0 : c.len, c.reserved));
        }
        return out;
    }

    private long checkedEnd(String what, long start, long size) throws ImageException {
        if (size < 0) {
            throw new ImageException(String.format("%s: %s size 0x%s is absurd", fmt, what, Long.toHexString(size)));
        }
        long end = start + size;
        if (Long.compareUnsigned(end, start) < 0 || (end == 0 && size != 0)) {
            throw new ImageException(String.format("%s: %s at 0x%x size 0x%x wraps around the address space", fmt, what, start, size));
        }
        return end;
    }

    private void checkRam(String what, long start, long end) throws ImageException {
        for (long[] r : ranges) {
            if (Long.compareUnsigned(start, r[0]) >= 0 && Long.compareUnsigned(end, r[1]) <= 0) {
                return;
            }
        }
        throw new ImageException(String.format("%s: %s [0x%x, 0x%x) does not fit in guest RAM (%s)",
                fmt, what, start, end, describeRam()));
    }

    private void checkOverlap(String what, long start, long end) throws ImageException {
        Claim c = firstOverlap(start, end);
        if (c != null) {
            throw new ImageException(String.format("%s: %s [0x%x, 0x%x) overlaps %s [0x%x, 0x%x)",
                    fmt, what, start, end, c.what, c.start, c.end));
        }
    }

    private Claim firstOverlap(long start, long end) {
        Claim best = null;
        for (Claim c : claims) {
            if (Long.compareUnsigned(start, c.end) < 0 && Long.compareUnsigned(c.start, end) < 0
                    && (best == null || Long.compareUnsigned(c.start, best.start) < 0)) {
                best = c;
            }
        }
        return best;
    }

    private String describeRam() {
        StringBuilder sb = new StringBuilder();
        for (long[] r : ranges) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(String.format("[0x%x, 0x%x)", r[0], r[1]));
        }
        return sb.length() == 0 ? "no RAM" : "RAM " + sb;
    }
}
