package io.minivmm.vmm.pc;

import io.minivmm.vmm.devices.Serial16550;
import io.minivmm.vmm.devices.bios.Bios;
import io.minivmm.vmm.devices.bios.BiosDisk;
import io.minivmm.vmm.devices.bios.BiosRom;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.ResourceAllocator;
import io.minivmm.vmm.machine.Wiring;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;

/**
 * The PC BIOS for real-mode guests (boot sectors, disk boot): the ROM at F000 (claimed as
 * firmware, so no image loads over it), the interrupt vector table, the trap port its stubs call,
 * and the {@link Bios} services behind it. int 16h reads what arrives on COM1's receiver (the
 * terminal's input), so a guest reading the keyboard through the BIOS and one reading COM1 see the
 * same characters once each. Must come before {@link BiosDataArea}, which completes the BDA.
 */
public final class BiosPart implements Part {
    private final List<BiosDisk> disks;
    private final OutputStream console;
    private final SerialPart com1;
    private Bios bios;
    private Wiring wiring;

    /**
     * @param disks   BIOS drives 0x80, 0x81, ... in order
     * @param console where teletype output goes besides the screen (the serial console stream)
     * @param com1    whose receiver int 16h reads
     */
    public BiosPart(List<BiosDisk> disks, OutputStream console, SerialPart com1) {
        this.disks = List.copyOf(disks);
        this.console = console;
        this.com1 = com1;
    }

    @Override
    public String name() { return "bios"; }

    @Override
    public void attach(Wiring w) {
        this.wiring = w;
        w.resources().claim("BIOS ROM", BiosRom.BASE, BiosRom.SIZE, ResourceAllocator.Use.FIRMWARE);
        bios = new Bios(w.memory(), w.resources().ram(), disks, console, this::poll, Clock.systemUTC(), System::nanoTime,
                w.control());
        w.pio().register(BiosRom.TRAP_PORT, 1, bios, "bios-trap");
    }

    @Override
    public void finish(Wiring w) {
        byte[] rom = BiosRom.image();
        w.memory().write(BiosRom.BASE, rom, 0, rom.length);
        byte[] ivt = BiosRom.ivt();
        w.memory().write(0, ivt, 0, ivt.length);
        bios.setMemoryMap(w.resources()::memoryMap);
        bios.initDataArea();
    }

    /** Makes POST enter the boot image at {@code cs:ip} with AX = {@code ax} (after the loader placed it). */
    public void setEntry(int cs, int ip, int ax) {
        byte[] patch = BiosRom.entryPatch(cs, ip, ax);
        wiring.memory().write(BiosRom.BASE + BiosRom.entryPatchOffset(), patch, 0, patch.length);
    }

    /** The services (after {@link #attach}). */
    public Bios bios() { return bios; }

    /** The next character COM1 received, or -1: read through the UART's registers, as a driver would. */
    private int poll() {
        Serial16550 uart = com1 == null ? null : com1.uart();
        if (uart == null) return -1;
        if ((uart.read(Serial16550.LCR, 1) & Serial16550.LCR_DLAB) != 0) return -1;
        if ((uart.read(Serial16550.LSR, 1) & Serial16550.LSR_DR) == 0) return -1;
        return uart.read(Serial16550.RBR_THR_DLL, 1) & 0xff;
    }
}
