package io.minivmm.vmm.devices;

/**
 * Told about every access that no device claims, so the VMM can log it at {@code -v}.
 *
 * <p>{@code count} is how many unclaimed accesses this address has seen so far, including this
 * one (0 when the address is not tracked because the table is full, see
 * {@link UnclaimedAccesses}); a logger typically prints only when {@code count == 1}. Called on
 * the vCPU thread, outside any bus lock.
 */
@FunctionalInterface
public interface UnclaimedAccessListener {
    void unclaimed(boolean write, long address, int size, long value, long count);

    /** Ignores everything. */
    UnclaimedAccessListener IGNORE = new UnclaimedAccessListener() { // not a lambda: docs/STARTUP.md
        @Override
        public void unclaimed(boolean write, long address, int size, long value, long count) { }
    };
}
