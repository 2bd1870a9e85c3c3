package io.minivmm.vmm.devices;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Guest-physical MMIO space: routes each access to the device registered over that address.
 *
 * <p>Regions live in an array sorted by base address (unsigned); dispatch is a binary search
 * over a snapshot published through a volatile field, allocation-free. Registration is
 * copy-on-write.
 *
 * <p>An access nobody claims reads as all ones for its size and is ignored when written; it is
 * counted in {@link #unclaimed()} and reported to the {@link UnclaimedAccessListener}. An access
 * is routed by its first byte; lengths that are not a power of two are split (see {@link #read}).
 */
public final class MmioBus {
    private record Region(long base, long length, MmioDevice device, String name) {
        long lastByte() {
            return base + length - 1;
        }
    }

    /** Immutable snapshot: bases sorted unsigned, regions in the same order. */
    private record Snapshot(long[] bases, Region[] regions) { }

    private final Object registerLock = new Object();
    private volatile Snapshot snapshot = new Snapshot(new long[0], new Region[0]);
    private final UnclaimedAccesses unclaimed = new UnclaimedAccesses();
    private volatile UnclaimedAccessListener listener = UnclaimedAccessListener.IGNORE;

    /**
     * Claims guest-physical {@code [base, base + length)} for {@code device}.
     *
     * @throws IllegalArgumentException if the range is empty, wraps past 2^64, or overlaps a
     *     registered device (the message names both)
     */
    public void register(long base, long length, MmioDevice device, String name) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(name, "name");
        if (length <= 0 || Long.compareUnsigned(base, -length) > 0) {
            throw new IllegalArgumentException(String.format(
                    "%s: MMIO range 0x%x+0x%x is empty or wraps", name, base, length));
        }
        Region reg = new Region(base, length, device, name);
        synchronized (registerLock) {
            Snapshot old = snapshot;
            for (Region r : old.regions) {
                boolean disjoint = Long.compareUnsigned(reg.lastByte(), r.base) < 0
                        || Long.compareUnsigned(r.lastByte(), reg.base) < 0;
                if (!disjoint) {
                    throw new IllegalArgumentException(String.format(
                            "%s at 0x%x..0x%x overlaps %s at 0x%x..0x%x", name, reg.base,
                            reg.lastByte(), r.name, r.base, r.lastByte()));
                }
            }
            int n = old.regions.length;
            int at = 0;
            while (at < n && Long.compareUnsigned(old.bases[at], base) < 0) {
                at++;
            }
            long[] bases = new long[n + 1];
            Region[] regions = new Region[n + 1];
            System.arraycopy(old.bases, 0, bases, 0, at);
            System.arraycopy(old.regions, 0, regions, 0, at);
            bases[at] = base;
            regions[at] = reg;
            System.arraycopy(old.bases, at, bases, at + 1, n - at);
            System.arraycopy(old.regions, at, regions, at + 1, n - at);
            snapshot = new Snapshot(bases, regions);
        }
    }

    /** Sets the hook told about unclaimed accesses (replaces the previous one). */
    public void setUnclaimedListener(UnclaimedAccessListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Counters of unclaimed accesses (by address). */
    public UnclaimedAccesses unclaimed() {
        return unclaimed;
    }

    /** The name of the device claiming {@code address}, or null. */
    public String deviceAt(long address) {
        Region r = find(snapshot, address);
        return r == null ? null : r.name;
    }

    /** Registered regions as "name base+length" lines, by address. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Region r : snapshot.regions) {
            out.add(String.format("%s 0x%x+0x%x", r.name, r.base, r.length));
        }
        return out;
    }

    /**
     * Performs a read of {@code size} bytes (1..8); the value is masked to {@code size} bytes.
     * KVM delivers any length from 1 to 8: an unaligned access that crosses a page is split by
     * KVM into pieces such as 3, 5, 6 or 7 bytes. Such a length is split here into naturally
     * sized pieces (1, 2 or 4 bytes, lowest address first), each routed by its own first byte,
     * so devices only ever see 1, 2, 4 or 8.
     *
     * @throws IllegalArgumentException if {@code size} is outside 1..8 (KVM never delivers it)
     */
    public long read(long address, int size) {
        long mask = mask(size);
        if (Integer.bitCount(size) != 1) {
            long value = 0;
            for (int done = 0; done < size; ) {
                int piece = piece(address + done, size - done);
                value |= readOne(address + done, piece) << (8 * done);
                done += piece;
            }
            return value & mask;
        }
        return readOne(address, size);
    }

    /** Performs a write of the low {@code size} bytes (1..8) of {@code value}; odd sizes split as for {@link #read}. */
    public void write(long address, int size, long value) {
        long mask = mask(size);
        if (Integer.bitCount(size) != 1) {
            for (int done = 0; done < size; ) {
                int piece = piece(address + done, size - done);
                writeOne(address + done, piece, value >>> (8 * done));
                done += piece;
            }
            return;
        }
        writeOne(address, size, value & mask);
    }

    /** The largest power-of-two piece (at most 4 bytes: the rest is under 8) aligned at {@code address}. */
    private static int piece(long address, int remaining) {
        int p = 4;
        while (p > remaining || (address & (p - 1)) != 0) p >>= 1;
        return p;
    }

    private long readOne(long address, int size) {
        long mask = mask(size);
        Region r = find(snapshot, address);
        if (r == null) {
            long count = unclaimed.record(address);
            listener.unclaimed(false, address, size, mask, count);
            return mask;
        }
        return r.device.read(address - r.base, size) & mask;
    }

    private void writeOne(long address, int size, long value) {
        long mask = mask(size);
        Region r = find(snapshot, address);
        if (r == null) {
            long count = unclaimed.record(address);
            listener.unclaimed(true, address, size, value & mask, count);
            return;
        }
        r.device.write(address - r.base, size, value & mask);
    }

    /** Binary search for the region with the greatest base <= address (unsigned). */
    private static Region find(Snapshot s, long address) {
        long[] bases = s.bases;
        int lo = 0;
        int hi = bases.length - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(bases[mid], address) <= 0) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best < 0) {
            return null;
        }
        Region r = s.regions[best];
        return Long.compareUnsigned(address - r.base, r.length) < 0 ? r : null;
    }

    static long mask(int size) {
        if (size < 1 || size > 8) throw new IllegalArgumentException("MMIO access size " + size);
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }
}
