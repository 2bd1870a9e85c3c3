package io.minivmm.vmm;

import io.minivmm.vmm.devices.CmosRtc;
import io.minivmm.vmm.devices.DebugExit;
import io.minivmm.vmm.devices.PageFaultPort;
import io.minivmm.vmm.devices.ResetControl;
import io.minivmm.vmm.devices.virtio.VirtioBlk;
import io.minivmm.vmm.devices.virtio.VirtioConsole;
import io.minivmm.vmm.devices.virtio.VirtioRng;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.pc.BiosDataArea;
import io.minivmm.vmm.pc.KeyboardControllerPart;
import io.minivmm.vmm.pc.MpTablePart;
import io.minivmm.vmm.pc.PortPart;
import io.minivmm.vmm.pc.ReservedWindow;
import io.minivmm.vmm.pc.SerialPart;
import io.minivmm.vmm.pc.VirtioMmioPart;
import io.minivmm.vmm.storage.DiskSpec;
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
        int vd = 0;
        for (Disks.Disk d : disks.all()) {
            if (d.spec().iface() == DiskSpec.Interface.VIRTIO) {
                parts.add(new VirtioMmioPart("virtio-blk" + vd++, new VirtioBlk(d.image())));
                continue;
            }
            // The IDE controller is being added (the platform issue).
            throw new ImageException("--disk " + d.spec().file() + ": the if=" + d.spec().iface().name().toLowerCase(java.util.Locale.ROOT)
                    + " controller is not available in this build");
        }
        if (cfg.virtioConsole) parts.add(new VirtioMmioPart("virtio-console", new VirtioConsole(serialOut)));
        if (cfg.rng) parts.add(new VirtioMmioPart("virtio-rng", new VirtioRng()));
        parts.add(new MpTablePart());
        // Last: the BIOS data area describes the EBDA that the table parts above grew.
        parts.add(new BiosDataArea());
        return parts;
    }
}
