package io.minivmm.vmm.memory;

/** A guest-physical address, printed in hex. Compare with {@link Long#compareUnsigned}. */
public record GuestAddress(long value) implements Comparable<GuestAddress> {
    public GuestAddress add(long offset) { return new GuestAddress(value + offset); }

    @Override
    public int compareTo(GuestAddress o) { return Long.compareUnsigned(value, o.value); }

    @Override
    public String toString() { return "0x" + Long.toHexString(value); }
}
