package io.minivmm.vmm.pc;

import io.minivmm.vmm.acpi.AcpiTables;
import io.minivmm.vmm.devices.CmosRtc;
import io.minivmm.vmm.devices.ResetControl;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.ResourceAllocator;
import io.minivmm.vmm.machine.ResourceException;
import io.minivmm.vmm.machine.Wiring;

/**
 * The ACPI tables ({@link AcpiTables}): built in {@link #finish} from what the other parts
 * declared, placed in the EBDA at the top of base memory (reserved in the memory map).
 *
 * <p>Where the RSDP goes: in the first KiB of the EBDA, the first place the ACPI spec (5.2.5.1)
 * tells an OS to scan. The alternative, the BIOS area 0xE0000-0xFFFFF, is the legacy window
 * that {@link ReservedWindow} reserves but lets an image load into (GNU ld's default layout
 * starts at 0x100000, a.out-style kernels below it), so a table there could be overwritten by
 * the image. The EBDA is claimed FIRMWARE and the loaders keep out of it. The RSDP is claimed
 * last and lowest, so it starts the EBDA that {@link BiosDataArea} (which must come after this
 * part) then describes in 0x40E; its offset in its KiB is kept between 16 (the EBDA's size byte
 * goes below it) and 1024 - 48 (or - 64 with the MP floating pointer's copy, see
 * {@link #AcpiPart(MpTablePart)}), so it lies whole in the EBDA's first KiB.
 */
public final class AcpiPart implements Part {
    static final long EBDA_END = 0xa0000;
    /** RSDP placement in its KiB: room for the EBDA header (16 bytes) below it. */
    static final int RSDP_MIN_OFFSET = 16, RSDP_SLOT = 48, MP_FLOATING_SIZE = 16;

    private final MpTablePart mpTable;
    private long rsdp = -1;
    private AcpiTables.Layout layout;

    /** ACPI tables for a machine without an MP table. */
    public AcpiPart() { this(null); }

    /**
     * ACPI tables for a machine whose MP table part ({@code mpTable}, attached before this part)
     * has finished first: its 16-byte floating pointer is repeated next to the RSDP, so that both
     * lie in the EBDA's first KiB. Kernels that look only there (xv6: the EBDA's first KiB, then
     * 0xF0000) would otherwise miss the MP table once the ACPI tables sit below it. The copy
     * points at the same configuration table; its checksum covers only its own 16 bytes.
     */
    public AcpiPart(MpTablePart mpTable) { this.mpTable = mpTable; }

    @Override
    public String name() { return "acpi"; }

    @Override
    public void attach(Wiring w) { }

    @Override
    public void finish(Wiring w) {
        // What is plugged in decides the FADT's reset register and boot flags.
        boolean reset = w.pio().deviceAt(ResetControl.PORT) != null;
        boolean rtc = w.pio().deviceAt(CmosRtc.INDEX_PORT) != null;
        boolean i8042 = w.pio().deviceAt(0x60) != null && w.pio().deviceAt(0x64) != null;
        AcpiTables.Config cfg = AcpiTables.Config.of(w.platform(), reset ? ResetControl.PORT : -1,
                ResetControl.SYS_RST | ResetControl.RST_CPU, rtc ? CmosRtc.REG_CENTURY : 0, i8042);
        ResourceAllocator res = w.resources();
        long base = res.allocateDown("acpi-tables", AcpiTables.blockSize(cfg), 16, EBDA_END, ResourceAllocator.Use.FIRMWARE);
        AcpiTables.Block block = AcpiTables.block(cfg, base);
        w.memory().write(base, block.bytes, 0, block.bytes.length);
        layout = block.layout;

        // The low claim: the RSDP, then a copy of the MP floating pointer when there is an MP table.
        byte[] mpFloating = null;
        if (mpTable != null && mpTable.address() >= 0) {
            mpFloating = new byte[MP_FLOATING_SIZE];
            w.memory().read(mpTable.address(), mpFloating, 0, MP_FLOATING_SIZE);
        }
        int low = RSDP_SLOT + (mpFloating != null ? MP_FLOATING_SIZE : 0);
        long maxOffset = 1024 - low; // 16-aligned: everything in the low claim inside the first KiB
        long at = base - low;
        long offset = at & 0x3ff;
        if (offset > maxOffset) at = (at & ~0x3ffL) + maxOffset;
        else if (offset < RSDP_MIN_OFFSET) at = (at & ~0x3ffL) - 1024 + maxOffset;
        // One claim from the RSDP up to the tables: no gap, so the EBDA stays one block.
        long got = res.allocateDown("acpi-rsdp", base - at, 16, base, ResourceAllocator.Use.FIRMWARE);
        if (got != at) throw new ResourceException(String.format("acpi-rsdp: wanted 0x%x below the tables, got 0x%x", at, got));
        byte[] r = AcpiTables.rsdp(layout.rsdt(), layout.xsdt());
        w.memory().write(at, r, 0, r.length);
        if (mpFloating != null) w.memory().write(at + RSDP_SLOT, mpFloating, 0, MP_FLOATING_SIZE);
        rsdp = at;
    }

    /** The RSDP's address (for boot protocols that pass it: PVH start_info, Multiboot 2, boot_params), or -1 before {@link #finish}. */
    public long rsdpAddress() { return rsdp; }

    /** Where the other tables went, or null before {@link #finish}. */
    public AcpiTables.Layout layout() { return layout; }
}
