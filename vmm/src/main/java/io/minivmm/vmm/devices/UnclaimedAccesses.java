package io.minivmm.vmm.devices;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounded counters of accesses nobody claimed: one counter per address for the first
 * {@link #MAX_TRACKED} distinct addresses seen, then only the totals grow ({@link #untracked()}
 * counts accesses to addresses that did not fit). Thread-safe. Recording allocates nothing: the
 * tracked addresses live in two parallel arrays searched linearly (at most {@link #MAX_TRACKED}),
 * so even a guest hammering a missing port (Linux's I/O-delay port 0x80, say) costs no garbage.
 */
public final class UnclaimedAccesses {
    /** Distinct addresses tracked individually; bounded so a guest scanning ports cannot grow it. */
    public static final int MAX_TRACKED = 64;

    private final long[] addresses = new long[MAX_TRACKED];
    private final long[] counts = new long[MAX_TRACKED];
    private int used;
    private long total;
    private long untracked;

    private int indexOf(long address) {
        for (int i = 0; i < used; i++) if (addresses[i] == address) return i;
        return -1;
    }

    /** Counts one access at {@code address}; returns that address's count, or 0 if untracked. */
    public synchronized long record(long address) {
        total++;
        int i = indexOf(address);
        if (i < 0) {
            if (used >= MAX_TRACKED) {
                untracked++;
                return 0;
            }
            i = used++;
            addresses[i] = address;
        }
        return ++counts[i];
    }

    /** All unclaimed accesses so far. */
    public synchronized long total() {
        return total;
    }

    /** Accesses to addresses beyond the first {@link #MAX_TRACKED} distinct ones. */
    public synchronized long untracked() {
        return untracked;
    }

    /** The count for one address (0 if never seen or untracked). */
    public synchronized long count(long address) {
        int i = indexOf(address);
        return i < 0 ? 0 : counts[i];
    }

    /** Tracked addresses with their counts, most frequent first (ties by address). */
    public synchronized Map<Long, Long> snapshot() {
        Integer[] order = new Integer[used];
        for (int i = 0; i < used; i++) order[i] = i;
        java.util.Arrays.sort(order, Comparator.<Integer>comparingLong(i -> -counts[i])
                .thenComparing((a, b) -> Long.compareUnsigned(addresses[a], addresses[b])));
        Map<Long, Long> out = new LinkedHashMap<>();
        for (int i : order) out.put(addresses[i], counts[i]);
        return out;
    }
}
