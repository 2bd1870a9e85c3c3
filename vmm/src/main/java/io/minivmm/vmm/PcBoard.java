package io.minivmm.vmm;

import io.minivmm.vmm.devices.CmosRtc;
import io.minivmm.vmm.devices.DebugExit;
import io.minivmm.vmm.devices.PageFaultPort;
import io.minivmm.vmm.devices.ResetControl;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.pc.AcpiPart;
import io.minivmm.vmm.pc.BiosDataArea;
import io.minivmm.vmm.pc.KeyboardControllerPart;
import io.minivmm.vmm.pc.MpTablePart;
import io.minivmm.vmm.pc.PortPart;
import io.minivmm.vmm.pc.ReservedWindow;
import io.minivmm.vmm.pc.SerialPart;
import io.minivmm.vmm.storage.Disks;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The PC that minivmm builds from a {@link VmBuilder} configuration: the list of parts, in
 * attach order. Adding a device to the machine is adding a line here.
 */
final class PcBoard {
    private PcBoard() {}

    /** The parts of the machine, in attach order. {@code disks} are open; the caller closes them after the run. */
    static List<Part> parts(VmBuilder cfg, Disks disks, OutputStream serialOut, PageFaultPort.Resolver pageFaults) {
        List<Part> parts = new ArrayList<>();
        parts.add(ReservedWindow.legacyPc());
        parts.add(SerialPart.com1(serialOut));
        if (cfg.debugExit != DebugExit.Mode.OFF) {
            parts.add(new PortPart("debug-exit", DebugExit.PORT, 1, w -> new DebugExit(cfg.debugExit, w.control())));
        }
        parts.add(new KeyboardControllerPart());
        parts.add(new PortPart("reset-control", ResetControl.PORT, 1, w -> new ResetControl(w.control())));
        parts.add(PortPart.ioDelay());
        parts.add(PortPart.of("cmos-rtc", CmosRtc.INDEX_PORT, CmosRtc.PORT_COUNT,
                new CmosRtc(Clock.systemUTC(), cfg.memory, GuestMemory.LOW_RAM_LIMIT)));
        if (!cfg.areas.isEmpty()) parts.add(PortPart.of("page-fault-port", PageFaultPort.BASE, PageFaultPort.LENGTH,
                new PageFaultPort(pageFaults)));
        for (Disks.Disk d : disks.all()) {
            // The disk controllers are being added (IDE: the platform issue; virtio-blk: the virtio issue).
            throw new ImageException("--disk " + d.spec().file() + ": the if=" + d.spec().iface().name().toLowerCase(java.util.Locale.ROOT)
                    + " controller is not available in this build");
        }
        MpTablePart mp = new MpTablePart();
        parts.add(mp);
        if (cfg.acpi) parts.add(new AcpiPart(mp)); // after the MP table: its RSDP (and the MP pointer's copy) start the EBDA
        // Last: the BIOS data area describes the EBDA that the table parts above grew.
        parts.add(new BiosDataArea());
        return parts;
    }
}
