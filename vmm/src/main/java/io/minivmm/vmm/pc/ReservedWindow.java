package io.minivmm.vmm.pc;

import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.ResourceAllocator;
import io.minivmm.vmm.machine.Wiring;

/**
 * A window of the address space reported as reserved in the memory map: on a PC, the legacy
 * VGA and ROM window {@code [0xA0000, 0x100000)}. minivmm backs it with RAM (an image may load
 * there, as GNU ld's default layout wants), but the guest is told not to use it as RAM.
 */
public final class ReservedWindow implements Part {
    private final String name;
    private final long base;
    private final long size;

    public ReservedWindow(String name, long base, long size) {
        this.name = name;
        this.base = base;
        this.size = size;
    }

    /** The PC's legacy VGA/ROM window. */
    public static ReservedWindow legacyPc() { return new ReservedWindow("legacy VGA/ROM window", 0xa0000, 0x60000); }

    @Override
    public String name() { return name; }

    @Override
    public void attach(Wiring w) { w.resources().claim(name, base, size, ResourceAllocator.Use.RESERVED); }
}
