package io.minivmm.kvm.x86;

import io.minivmm.kvm.sys.Structs;
import java.util.Arrays;

/**
 * The state of one in-kernel interrupt controller ({@code struct kvm_irqchip}): which chip, and
 * its 512-byte state as KVM_GET_IRQCHIP returned it. Opaque for save/restore; {@link #pic()} and
 * {@link #ioapic()} decode it for reading.
 * <pre>{@code
 * Irqchip master = vm.getIrqchip(Irqchip.PIC_MASTER);
 * boolean irq4Pending = (master.pic().irr() & (1 << 4)) != 0;
 * other.setIrqchip(master);
 * }</pre>
 */
public record Irqchip(int chipId, byte[] state) {
    /** asm/kvm.h KVM_IRQCHIP_PIC_MASTER: the 8259 at ports 0x20-0x21 (IRQ 0-7). */
    public static final int PIC_MASTER = 0;
    /** asm/kvm.h KVM_IRQCHIP_PIC_SLAVE: the 8259 at ports 0xa0-0xa1 (IRQ 8-15). */
    public static final int PIC_SLAVE = 1;
    /** asm/kvm.h KVM_IRQCHIP_IOAPIC: the IOAPIC at 0xfec00000 (24 pins). */
    public static final int IOAPIC = 2;
    /** Size of the state union. */
    public static final int STATE_SIZE = 512;

    public Irqchip {
        if (chipId < PIC_MASTER || chipId > IOAPIC) throw new IllegalArgumentException("irqchip id " + chipId);
        if (state.length != STATE_SIZE) throw new IllegalArgumentException("irqchip state is 512 bytes");
        state = state.clone();
    }

    @Override
    public byte[] state() { return state.clone(); }

    /** The 8259 registers; only for {@link #PIC_MASTER} and {@link #PIC_SLAVE}. */
    public PicState pic() {
        if (chipId == IOAPIC) throw new IllegalStateException("chip " + chipId + " is the IOAPIC");
        return Structs.decodePic(state);
    }

    /** The IOAPIC registers; only for {@link #IOAPIC}. */
    public IoapicState ioapic() {
        if (chipId != IOAPIC) throw new IllegalStateException("chip " + chipId + " is a PIC");
        return Structs.decodeIoapic(state);
    }

    @Override
    public boolean equals(Object o) { return o instanceof Irqchip c && chipId == c.chipId && Arrays.equals(state, c.state); }

    @Override
    public int hashCode() { return chipId * 31 + Arrays.hashCode(state); }

    @Override
    public String toString() {
        return chipId == IOAPIC ? ioapic().toString() : (chipId == PIC_MASTER ? "master " : "slave ") + pic();
    }
}
