package io.minivmm.vmm.devices;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounded counters of accesses nobody claimed: one counter per address for the first
 * {@link #MAX_TRACKED} distinct addresses seen, then only the totals grow ({@link #untracked()}
 * counts accesses to addresses that did not fit). Thread-safe. This is the slow path (an access
 * to a missing device), so a lock and a boxed key are fine here.
 */
public final class UnclaimedAccesses {
    /** Distinct addresses tracked individually; bounded so a guest scanning ports cannot grow it. */
    public static final int MAX_TRACKED = 64;

    private final Map<Long, long[]> counts = new HashMap<>();
    private long total;
    private long untracked;

    /** Counts one access at {@code address}; returns that address's count, or 0 if untracked. */
    public synchronized long record(long address) {
        total++;
        long[] c = counts.get(address);
        if (c == null) {
            if (counts.size() >= MAX_TRACKED) {
                untracked++;
                return 0;
            }
            c = new long[1];
            counts.put(address, c);
        }
        return ++c[0];
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
        long[] c = counts.get(address);
        return c == null ? 0 : c[0];
    }

    /** Tracked addresses with their counts, most frequent first (ties by address). */
    public synchronized Map<Long, Long> snapshot() {
        List<Map.Entry<Long, long[]>> entries = List.copyOf(counts.entrySet());
        Map<Long, Long> out = new LinkedHashMap<>();
        entries.stream()
                .sorted(Comparator.<Map.Entry<Long, long[]>>comparingLong(e -> -e.getValue()[0])
                        .thenComparing(e -> e.getKey(), Long::compareUnsigned))
                .forEach(e -> out.put(e.getKey(), e.getValue()[0]));
        return out;
    }
}
