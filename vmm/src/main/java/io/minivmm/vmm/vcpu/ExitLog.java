package io.minivmm.vmm.vcpu;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #SIZE} exits of one vCPU (kind, port or address, RIP) in a fixed ring, and
 * counters by exit reason and by I/O port. Written only by its vCPU thread, allocating nothing
 * but a 2 KiB counter page the first time the guest uses a port in a new block of 256; read after
 * the vCPU has stopped.
 */
public final class ExitLog {
    public static final int SIZE = 32;
    private final int[] reason = new int[SIZE];
    private final long[] where = new long[SIZE];
    private final long[] rip = new long[SIZE];
    private final boolean[] write = new boolean[SIZE];
    private long count;
    final long[] byReason = new long[64];
    /** Exits by I/O port, in pages of 256 ports allocated at a page's first exit (a guest uses a few). */
    private final long[][] byPort = new long[256][];

    void record(int exitReason, long address, boolean isWrite, long atRip) {
        int i = (int) (count & (SIZE - 1));
        reason[i] = exitReason;
        where[i] = address;
        write[i] = isWrite;
        rip[i] = atRip;
        count++;
        byReason[exitReason & 63]++;
    }

    /** One recorded exit. */
    public record Entry(int reason, long address, boolean write, long rip) {}

    /** The recorded exits, oldest first. */
    public List<Entry> entries() {
        int n = (int) Math.min(count, SIZE);
        List<Entry> out = new ArrayList<>(n);
        for (long k = count - n; k < count; k++) {
            int i = (int) (k & (SIZE - 1));
            out.add(new Entry(reason[i], where[i], write[i], rip[i]));
        }
        return out;
    }

    public long count() { return count; }

    public long byReason(int r) { return byReason[r & 63]; }

    public long byPort(int port) {
        long[] page = byPort[(port >>> 8) & 0xff];
        return page == null ? 0 : page[port & 0xff];
    }

    /** The ports with at least one exit, ascending (only the counter pages in use are scanned). */
    public int[] usedPorts() {
        int n = 0;
        int[] out = new int[16];
        for (int hi = 0; hi < byPort.length; hi++) {
            long[] page = byPort[hi];
            if (page == null) continue;
            for (int lo = 0; lo < page.length; lo++) {
                if (page[lo] == 0) continue;
                if (n == out.length) out = java.util.Arrays.copyOf(out, n * 2);
                out[n++] = hi << 8 | lo;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Copies the exit count of every port into {@code into[port]} (65536 entries; zero where none). */
    public void copyPortCounts(long[] into) {
        if (into.length != 0x10000) throw new IllegalArgumentException("needs 65536 entries, got " + into.length);
        for (int hi = 0; hi < byPort.length; hi++) {
            long[] page = byPort[hi];
            if (page == null) java.util.Arrays.fill(into, hi << 8, (hi + 1) << 8, 0L);
            else System.arraycopy(page, 0, into, hi << 8, 256);
        }
    }

    /** Counts one exit on {@code port} (allocates only at the first exit in a page of 256 ports). */
    void countPort(int port) {
        long[] page = byPort[(port >>> 8) & 0xff];
        if (page == null) page = byPort[(port >>> 8) & 0xff] = new long[256];
        page[port & 0xff]++;
    }
}
