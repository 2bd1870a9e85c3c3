package io.minivmm.kvm.x86;

/**
 * One 8259 PIC as KVM models it ({@code struct kvm_pic_state}), decoded from an {@link Irqchip}.
 * Each field is a byte of the struct: the 8-bit registers, one bit per IRQ line.
 * <pre>{@code
 * PicState m = vm.getIrqchip(Irqchip.PIC_MASTER).pic();
 * int vectorOfIrq4 = m.irqBase() + 4;
 * }</pre>
 */
public record PicState(int lastIrr, int irr, int imr, int isr, int priorityAdd, int irqBase, int readRegSelect,
                       int poll, int specialMask, int initState, int autoEoi, int rotateOnAutoEoi,
                       int specialFullyNestedMode, int init4, int elcr, int elcrMask) {
    @Override
    public String toString() {
        return String.format("PIC[irr=%02x imr=%02x isr=%02x base=%02x elcr=%02x]", irr, imr, isr, irqBase, elcr);
    }
}
