package io.minivmm.kvm.x86;

import java.util.Arrays;

/**
 * The in-kernel IOAPIC ({@code struct kvm_ioapic_state}), decoded from an {@link Irqchip}: its
 * base address, index register, id, the pins' IRR bits and the 24 redirection entries (raw 64-bit
 * values, SDM-style: vector in bits 0-7, mask at bit 16, destination in bits 56-63).
 * <pre>{@code
 * IoapicState io = vm.getIrqchip(Irqchip.IOAPIC).ioapic();
 * boolean pin4Masked = io.masked(4);
 * }</pre>
 */
public record IoapicState(long baseAddress, int ioregsel, int id, int irr, long[] redirtbl) {
    public IoapicState {
        if (redirtbl.length != 24) throw new IllegalArgumentException("the IOAPIC has 24 pins");
        redirtbl = redirtbl.clone();
    }

    @Override
    public long[] redirtbl() { return redirtbl.clone(); }

    /** Redirection entry {@code pin}'s mask bit (bit 16, 82093AA datasheet 3.2.4). */
    public boolean masked(int pin) { return (redirtbl[pin] & (1L << 16)) != 0; }

    public int vector(int pin) { return (int) (redirtbl[pin] & 0xff); }

    @Override
    public boolean equals(Object o) {
        return o instanceof IoapicState s && baseAddress == s.baseAddress && ioregsel == s.ioregsel && id == s.id
                && irr == s.irr && Arrays.equals(redirtbl, s.redirtbl);
    }

    @Override
    public int hashCode() { return Long.hashCode(baseAddress) ^ irr ^ Arrays.hashCode(redirtbl); }

    @Override
    public String toString() { return String.format("IOAPIC[base=%x id=%d irr=%06x]", baseAddress, id, irr); }
}
