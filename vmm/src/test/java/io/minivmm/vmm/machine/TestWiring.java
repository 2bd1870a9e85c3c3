package io.minivmm.vmm.machine;

import io.minivmm.vmm.devices.IrqLine;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.MmioBus;
import io.minivmm.vmm.devices.PioBus;
import io.minivmm.vmm.memory.PhysMemory;
import io.minivmm.vmm.paging.ArrayPhysMemory;
import java.util.ArrayList;
import java.util.List;

/** A machine without KVM for part tests: plain buses, array-backed RAM, IRQ levels recorded. */
public final class TestWiring implements Wiring {
    public final PioBus pio = new PioBus();
    public final MmioBus mmio = new MmioBus();
    public final ArrayPhysMemory memory;
    public final ResourceAllocator resources;
    public final PlatformInfo platform;
    public final boolean[] irqLevels = new boolean[ResourceAllocator.GSI_COUNT];
    public final List<String> events = new ArrayList<>();
    private final int cpus;

    public TestWiring(int ramBytes, int cpus) {
        this.memory = new ArrayPhysMemory(0, ramBytes);
        this.resources = new ResourceAllocator(List.of(new long[] {0, ramBytes}));
        this.platform = new PlatformInfo(cpus, 0x806e9, 0x178bfbff);
        this.cpus = cpus;
    }

    /** Attaches then finishes the parts, as {@link Machine} does. */
    public void assemble(List<? extends Part> parts) {
        for (Part p : parts) p.attach(this);
        for (Part p : parts) p.finish(this);
    }

    @Override public PioBus pio() { return pio; }
    @Override public MmioBus mmio() { return mmio; }
    @Override public PhysMemory memory() { return memory; }
    @Override public ResourceAllocator resources() { return resources; }
    @Override public PlatformInfo platform() { return platform; }
    @Override public int cpus() { return cpus; }

    @Override
    public MachineControl control() {
        return new MachineControl() {
            @Override public void guestExit(int status) { events.add("exit " + status); }
            @Override public void guestReset() { events.add("reset"); }
        };
    }

    @Override
    public IrqLine irq(int gsi) {
        if (resources.irqOwner(gsi) == null) throw new ResourceException("IRQ " + gsi + " used before it was claimed");
        return level -> irqLevels[gsi] = level;
    }
}
