package io.minivmm.vmm.pc;

import io.minivmm.vmm.arch.x86.MpTable;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.ResourceAllocator;
import io.minivmm.vmm.machine.Wiring;

/**
 * The MultiProcessor Specification tables (for kernels without ACPI): placed at the top of base
 * memory, in the EBDA, sized for the machine's CPU count, so they never overlap the image.
 */
public final class MpTablePart implements Part {
    /** The EBDA ends where the VGA window starts. */
    static final long EBDA_END = 0xa0000;
    private long address = -1;

    @Override
    public String name() { return "mp-table"; }

    @Override
    public void attach(Wiring w) { }

    @Override
    public void finish(Wiring w) {
        var p = w.platform();
        int size = MpTable.size(p.cpus());
        address = w.resources().allocateDown(name(), size, 16, EBDA_END, ResourceAllocator.Use.FIRMWARE);
        byte[] t = MpTable.build(address, p.cpus(), p.cpuSignature(), p.cpuFeatures());
        w.memory().write(address, t, 0, t.length);
    }

    /** Where the floating pointer was written, or -1 before {@link #finish}. */
    public long address() { return address; }
}
