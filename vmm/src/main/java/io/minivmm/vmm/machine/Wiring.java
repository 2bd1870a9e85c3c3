package io.minivmm.vmm.machine;

import io.minivmm.vmm.devices.IrqLine;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.MmioBus;
import io.minivmm.vmm.devices.Notifications;
import io.minivmm.vmm.devices.PioBus;
import io.minivmm.vmm.memory.PhysMemory;

/**
 * What a {@link Part} is given to plug into the machine. Nothing here exposes KVM: a part can be
 * attached to a test wiring with plain buses and memory.
 */
public interface Wiring {
    /** The I/O port space. */
    PioBus pio();

    /** The MMIO space (accesses to addresses outside RAM that KVM hands to the VMM). */
    MmioBus mmio();

    /** Guest-physical memory. */
    PhysMemory memory();

    /** Address ranges and interrupt lines: claim them here, never pick them on your own. */
    ResourceAllocator resources();

    /** What the platform tables (memory map, MP, ACPI, BIOS data area, kernel command line) describe. */
    PlatformInfo platform();

    /** Machine-wide effects: the guest ends the run or resets. */
    MachineControl control();

    /**
     * The input of interrupt-controller pin {@code gsi}; claim the line through {@link #resources()}
     * first. Level-triggered: drive it true then false for an edge.
     */
    IrqLine irq(int gsi);

    /** Number of vCPUs. */
    int cpus();

    /**
     * Doorbells and interrupt edges that bypass the VMM's exit path where the machine can (KVM:
     * ioeventfd and irqfd). The default rings doorbells from MMIO exits and pulses {@link #irq}.
     */
    default Notifications notifications() { return Notifications.inProcess(this::irq); }
}
