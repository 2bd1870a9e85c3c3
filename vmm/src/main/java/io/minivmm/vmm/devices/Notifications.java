package io.minivmm.vmm.devices;

import java.util.function.IntFunction;

/**
 * The fast notification paths a machine offers its devices, with no KVM type in sight: a
 * doorbell that guest writes to an MMIO register ring without a VM exit, and an interrupt edge
 * that does not go through the VMM's interrupt-line ioctl. The in-process version (tests, or a
 * machine without the KVM capabilities) rings doorbells from the MMIO exit path instead.
 */
public interface Notifications {
    /**
     * A doorbell rung by every guest write of {@code length} bytes at guest-physical
     * {@code mmioAddress} when the machine can catch those writes in the kernel.
     *
     * @return the doorbell, and whether guest writes reach it without passing through the MMIO bus
     */
    Bell doorbell(String owner, long mmioAddress, int length);

    /** An edge on interrupt line {@code gsi} (claimed by the caller). */
    IrqEdge edge(int gsi);

    /** A doorbell and whether it is wired to guest writes (true) or must be rung by the MMIO handler. */
    record Bell(Doorbell doorbell, boolean wiredToGuest) { }

    /** Doorbells rung from the MMIO exit path; edges on the wiring's level lines. */
    static Notifications inProcess(IntFunction<IrqLine> irq) {
        return new Notifications() {
            @Override
            public Bell doorbell(String owner, long mmioAddress, int length) { return new Bell(Doorbell.inProcess(), false); }

            @Override
            public IrqEdge edge(int gsi) { return IrqEdge.of(irq.apply(gsi)); }
        };
    }
}
