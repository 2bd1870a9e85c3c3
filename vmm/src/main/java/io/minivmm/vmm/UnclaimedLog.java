package io.minivmm.vmm;

import io.minivmm.vmm.devices.UnclaimedAccessListener;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The {@code -v} log of accesses no device claims, rate-limited per address: the first
 * {@link #FIRST} accesses of an address get a line each (with the value written), after that
 * only a count at 10, 100, 1000, ... accesses. A guest polling an absent port a million times
 * costs about ten lines, not a million. Addresses beyond the bus's tracked ones share one
 * counter, logged the same way.
 */
final class UnclaimedLog implements UnclaimedAccessListener {
    static final int FIRST = 3;
    private final String space;
    private final BooleanSupplier enabled;
    private final Consumer<String> out;
    private final AtomicLong untracked = new AtomicLong();

    UnclaimedLog(String space, BooleanSupplier enabled, Consumer<String> out) {
        this.space = space;
        this.enabled = enabled;
        this.out = out;
    }

    /** Lines go to the VMM log at debug level ({@code -v}). */
    static UnclaimedLog toLog(String space) {
        ToLog l = new ToLog();
        return new UnclaimedLog(space, l, l);
    }

    /** The VMM log, as a class rather than two lambdas: made on every run's start (docs/STARTUP.md). */
    private static final class ToLog implements BooleanSupplier, Consumer<String> {
        @Override
        public boolean getAsBoolean() { return Log.debugEnabled(); }

        @Override
        public void accept(String line) { Log.debug("{}", line); }
    }

    @Override
    public void unclaimed(boolean write, long address, int size, long value, long count) {
        if (!enabled.getAsBoolean()) return;
        if (count == 0) {
            long n = untracked.incrementAndGet();
            if (n == 1 || isPowerOfTen(n)) {
                out.accept("unclaimed " + space + " accesses beyond the tracked addresses: " + n + " so far (latest "
                        + access(write, address, size, value) + ")");
            }
            return;
        }
        if (count < FIRST) {
            out.accept("unclaimed " + space + " " + access(write, address, size, value));
        } else if (count == FIRST) {
            out.accept("unclaimed " + space + " " + access(write, address, size, value)
                    + " (3rd time: further accesses to this address are counted, logged at 10, 100, 1000, ...)");
        } else if (isPowerOfTen(count)) {
            out.accept("unclaimed " + space + " 0x" + Long.toHexString(address) + ": " + count + " accesses so far (latest "
                    + access(write, address, size, value) + ")");
        }
    }

    private static String access(boolean write, long address, int size, long value) {
        return (write ? "write 0x" : "read 0x") + Long.toHexString(address) + " size " + size
                + (write ? " value 0x" + Long.toHexString(value) : "");
    }

    static boolean isPowerOfTen(long n) {
        if (n < 10) return false;
        while (n % 10 == 0) n /= 10;
        return n == 1;
    }
}
