package io.minivmm.vmm;

import io.minivmm.vmm.devices.CmosRtc;
import io.minivmm.vmm.devices.DebugExit;
import io.minivmm.vmm.devices.PageFaultPort;
import io.minivmm.vmm.devices.ResetControl;
import io.minivmm.vmm.devices.virtio.VirtioBlk;
import io.minivmm.vmm.devices.virtio.VirtioConsole;
import io.minivmm.vmm.devices.virtio.VirtioRng;
import io.minivmm.vmm.devices.PioDevice;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.Wiring;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.devices.PvPanic;
import io.minivmm.vmm.devices.bios.BiosDisk;
import io.minivmm.vmm.loader.ImageFormat;
import io.minivmm.vmm.pc.AcpiPart;
import io.minivmm.vmm.pc.BiosDataArea;
import io.minivmm.vmm.pc.BiosPart;
import io.minivmm.vmm.pc.DebugConsolePart;
import io.minivmm.vmm.pc.IdeChannelPart;
import io.minivmm.vmm.pc.KeyboardControllerPart;
import io.minivmm.vmm.pc.MpTablePart;
import io.minivmm.vmm.pc.PortPart;
import io.minivmm.vmm.pc.ReservedWindow;
import io.minivmm.vmm.pc.SerialPart;
import io.minivmm.vmm.pc.VirtioMmioPart;
import io.minivmm.vmm.storage.DiskSpec;
import io.minivmm.vmm.storage.Disks;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The PC that minivmm builds from a {@link VmBuilder} configuration: the list of parts, in
 * attach order. Adding a device to the machine is adding a line here.
 */
final class PcBoard {
    private PcBoard() {}

    /**
     * The parts of the machine, in attach order. {@code disks} are open; the caller closes them after the run.
     * A real-mode boot (a boot sector, a disk, a raw real-mode image) gets the BIOS, which serves
     * every disk as a BIOS hard disk whatever its interface.
     */
    static List<Part> parts(VmBuilder cfg, Disks disks, RunSession session, PageFaultPort.Resolver pageFaults,
                            Boot.Image image) {
        List<Part> parts = new ArrayList<>();
        boolean bios = Boot.wantsBios(cfg, image);
        // With the BIOS, its ROM at 0xF0000 is firmware (kept free by the loader); the rest of the window stays reserved.
        parts.add(bios ? new ReservedWindow("legacy VGA/option ROM window", 0xa0000, 0x50000) : ReservedWindow.legacyPc());
        SerialPart com1 = SerialPart.com1(session.sink());
        parts.add(com1);
        if (cfg.debugExit != DebugExit.Mode.OFF) {
            // anonymous classes, not lambdas, on the CLI's start path (docs/STARTUP.md)
            parts.add(new PortPart("debug-exit", DebugExit.PORT, 1, new Function<Wiring, PioDevice>() {
                @Override
                public PioDevice apply(Wiring w) {
                    return new DebugExit(cfg.debugExit, w.control());
                }
            }));
        }
        parts.add(new KeyboardControllerPart());
        parts.add(new PortPart("reset-control", ResetControl.PORT, 1, new Function<Wiring, PioDevice>() {
            @Override
            public PioDevice apply(Wiring w) {
                return new ResetControl(w.control());
            }
        }));
        parts.add(PortPart.ioDelay());
        parts.add(new DebugConsolePart(cfg.debugcon));
        parts.add(PortPart.of("pvpanic", PvPanic.PORT, 1, new PvPanic(new PvPanic.Listener() {
            @Override
            public void guestPanicked(String how) {
                session.guestPanicked(how);
            }
        })));
        parts.add(PortPart.of("cmos-rtc", CmosRtc.INDEX_PORT, CmosRtc.PORT_COUNT,
                new CmosRtc(Clock.systemUTC(), cfg.memory, GuestMemory.LOW_RAM_LIMIT)));
        if (!cfg.areas.isEmpty()) parts.add(PortPart.of("page-fault-port", PageFaultPort.BASE, PageFaultPort.LENGTH,
                new PageFaultPort(pageFaults)));
        parts.addAll(IdeChannelPart.forDisks(disks));
        if (bios) {
            List<BiosDisk> drives = new ArrayList<>();
            for (Disks.Disk d : disks.all()) drives.add(BiosDisk.of(d.image()));
            // A boot sector or disk image given as --kernel is drive 0x80 when no --disk is (int 13h reads its other sectors).
            if (drives.isEmpty() && image.format() == ImageFormat.BOOTSECTOR) drives.add(BiosDisk.ofBytes(image.bytes()));
            parts.add(new BiosPart(drives, session.sink(), com1));
        }
        int vd = 0;
        for (Disks.Disk d : disks.on(DiskSpec.Interface.VIRTIO)) parts.add(new VirtioMmioPart("virtio-blk" + vd++, new VirtioBlk(d.image())));
        if (cfg.virtioConsole) parts.add(new VirtioMmioPart("virtio-console", new VirtioConsole(session.sink())));
        if (cfg.rng) parts.add(new VirtioMmioPart("virtio-rng", new VirtioRng()));
        MpTablePart mp = new MpTablePart();
        parts.add(mp);
        if (cfg.acpi) parts.add(new AcpiPart(mp)); // after the MP table: its RSDP (and the MP pointer's copy) start the EBDA
        // Last: the BIOS data area describes the EBDA that the table parts above grew.
        parts.add(new BiosDataArea());
        return parts;
    }
}
