package io.minivmm.vmm.acpi;

import io.minivmm.vmm.machine.PlatformInfo;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the ACPI tables of the machine (ACPI 6.4): the RSDP, the RSDT and XSDT, the MADT, a
 * hardware-reduced FADT and a DSDT that names COM ports, CPUs and the devices the parts
 * declared. Pure functions of a {@link Config} and the addresses the tables go to, so they are
 * tested without a machine.
 *
 * <p>Why hardware-reduced: a full FADT must point at PM1 event/control blocks (ACPICA reports a
 * missing one as "ACPI BIOS Error (bug): Required FADT field ... has zero address"), and this
 * machine has no ACPI PM hardware. With {@code HW_REDUCED_ACPI} the OS expects no SCI, no PM
 * timer, no GPE blocks and no SMI command port, as on Firecracker and Cloud Hypervisor. Linux
 * then also leaves the 8259 PIC and the PIT alone and times with the local APIC; kernels without
 * ACPI (or with it turned off) still get the PIC, the PIT and the MP table.
 *
 * <p>Interrupt routing: KVM's default in-kernel GSI routing (no {@code KVM_SET_GSI_ROUTING} is
 * done) connects ISA IRQ n to both the 8259 input n and I/O APIC pin n, for n = 0..15; the PIT
 * fires GSI 0. So unlike a PC's firmware (and QEMU, which reprograms the routing), ISA IRQ 0 is
 * <em>not</em> overridden to GSI 2: the MADT says IRQ 0 → GSI 0 explicitly (a reader that assumes
 * the PC's override sees that it does not apply) and leaves IRQs 1-15 identity-mapped, exactly as
 * the MP table routes them.
 */
public final class AcpiTables {
    private AcpiTables() {}

    public static final String OEM_ID = "MINIVM";
    public static final String OEM_TABLE_ID = "MINIVMM ";
    public static final int OEM_REVISION = 1;
    public static final String CREATOR_ID = "MVMM";
    public static final int CREATOR_REVISION = 1;
    public static final int HEADER_SIZE = 36, RSDP_SIZE = 36, FADT_SIZE = 276;
    public static final long LAPIC_BASE = 0xfee0_0000L, IOAPIC_BASE = 0xfec0_0000L;
    /** Most CPUs a table describes: APIC IDs 0..cpus-1 and the I/O APIC's ID {@code cpus} must stay below the xAPIC broadcast 0xff. */
    public static final int MAX_CPUS = 254;

    /** FADT flags (ACPI 6.4, table 5.10). */
    static final int FADT_WBINVD = 1, FADT_RESET_REG_SUP = 1 << 10, FADT_HW_REDUCED_ACPI = 1 << 20;
    /** IA-PC boot architecture flags (table 5.11). */
    static final int BOOT_LEGACY_DEVICES = 1, BOOT_8042 = 1 << 1, BOOT_NO_MSI = 1 << 3, BOOT_NO_CMOS_RTC = 1 << 5;
    static final int MADT_PCAT_COMPAT = 1;
    static final int MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2, MADT_LAPIC_NMI = 4;
    /** MPS INTI flags: polarity and trigger "conform to the bus" (for ISA: active high, edge). */
    static final int MPS_INTI_CONFORMS = 0;

    /**
     * What the tables describe.
     *
     * @param resetPort  I/O port of the reset register (FADT RESET_REG), or -1 for none
     * @param resetValue what to write there to reset
     * @param century    CMOS century register for the FADT, or 0; a CMOS RTC is present when non-zero
     * @param i8042      whether an 8042 keyboard controller sits at ports 0x60/0x64
     */
    public record Config(int cpus, List<PlatformInfo.SerialPort> serialPorts, List<PlatformInfo.IoDevice> ioDevices,
                         List<PlatformInfo.MmioDevice> mmioDevices, int resetPort, int resetValue, int century, boolean i8042) {
        public Config {
            if (cpus < 1 || cpus > MAX_CPUS) throw new IllegalArgumentException("ACPI tables: 1.." + MAX_CPUS + " CPUs, got " + cpus);
            serialPorts = List.copyOf(serialPorts);
            ioDevices = List.copyOf(ioDevices);
            mmioDevices = List.copyOf(mmioDevices);
        }

        /** The description of a machine from its platform info. */
        public static Config of(PlatformInfo p, int resetPort, int resetValue, int century, boolean i8042) {
            return new Config(p.cpus(), p.serialPorts(), p.ioDevices(), p.mmioDevices(), resetPort, resetValue, century, i8042);
        }
    }

    /** Where each table of a {@link #block} starts, as guest-physical addresses. */
    public record Layout(long base, long dsdt, long fadt, long madt, long rsdt, long xsdt, long end) {
        public long size() { return end - base; }
    }

    /** The tables other than the RSDP, laid out from {@code base} (16-byte aligned each). */
    public static final class Block {
        public final Layout layout;
        public final byte[] bytes;

        Block(Layout layout, byte[] bytes) {
            this.layout = layout;
            this.bytes = bytes;
        }
    }

    private static long align16(long v) { return (v + 15) & ~15L; }

    /** The size of {@link #block} for {@code cfg} (independent of where it goes). */
    public static int blockSize(Config cfg) {
        return (int) layout(cfg, 0, dsdt(cfg).length).size();
    }

    private static Layout layout(Config cfg, long base, int dsdtLength) {
        long dsdt = base;
        long fadt = align16(dsdt + dsdtLength);
        long madt = align16(fadt + FADT_SIZE);
        long rsdt = align16(madt + madtSize(cfg.cpus()));
        long xsdt = align16(rsdt + HEADER_SIZE + 4 * 2);
        long end = align16(xsdt + HEADER_SIZE + 8 * 2);
        return new Layout(base, dsdt, fadt, madt, rsdt, xsdt, end);
    }

    /** DSDT, FADT, MADT, RSDT and XSDT, each at the address {@link Layout} gives, for a block at {@code base} (below 4 GiB). */
    public static Block block(Config cfg, long base) {
        byte[] dsdt = dsdt(cfg); // built once: it is most of the work
        if (base < 0 || base + layout(cfg, 0, dsdt.length).size() > 0x1_0000_0000L || (base & 15) != 0) {
            throw new IllegalArgumentException(String.format("ACPI tables at 0x%x: need a 16-byte aligned place below 4 GiB", base));
        }
        Layout l = layout(cfg, base, dsdt.length);
        byte[] out = new byte[(int) l.size()];
        put(out, l, l.dsdt, dsdt);
        put(out, l, l.fadt, fadt(cfg, l.dsdt));
        put(out, l, l.madt, madt(cfg.cpus()));
        put(out, l, l.rsdt, rsdt(l.fadt, l.madt));
        put(out, l, l.xsdt, xsdt(l.fadt, l.madt));
        return new Block(l, out);
    }

    private static void put(byte[] out, Layout l, long at, byte[] table) {
        System.arraycopy(table, 0, out, (int) (at - l.base), table.length);
    }

    /** The ACPI 2.0+ RSDP (36 bytes) pointing at both the RSDT and the XSDT, with both checksums. */
    public static byte[] rsdp(long rsdt, long xsdt) {
        ByteBuffer b = le(RSDP_SIZE);
        b.put("RSD PTR ".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put(ascii(OEM_ID, 6)).put((byte) 2)
                .putInt((int) rsdt).putInt(RSDP_SIZE).putLong(xsdt).put((byte) 0).put(new byte[3]);
        byte[] r = b.array();
        r[8] = checksum(r, 0, 20);
        r[32] = checksum(r, 0, RSDP_SIZE);
        return r;
    }

    /** RSDT: 32-bit pointers to the tables. */
    public static byte[] rsdt(long... tables) {
        ByteBuffer b = header("RSDT", 1, HEADER_SIZE + 4 * tables.length);
        for (long t : tables) b.putInt((int) t);
        return finish(b);
    }

    /** XSDT: 64-bit pointers to the tables. */
    public static byte[] xsdt(long... tables) {
        ByteBuffer b = header("XSDT", 1, HEADER_SIZE + 8 * tables.length);
        for (long t : tables) b.putLong(t);
        return finish(b);
    }

    static int madtSize(int cpus) {
        return HEADER_SIZE + 8 + 8 * cpus + 12 + 10 + 6;
    }

    /**
     * MADT ("APIC", revision 5): the local APIC address; one enabled Processor Local APIC per
     * vCPU (ACPI processor UID = APIC ID = index, as KVM numbers vCPUs); the I/O APIC (ID = cpus,
     * as in the MP table) with GSI base 0; ISA IRQ 0 → GSI 0 (see the class comment); and LINT1
     * of every local APIC as NMI.
     */
    public static byte[] madt(int cpus) {
        if (cpus < 1 || cpus > MAX_CPUS) throw new IllegalArgumentException("MADT: 1.." + MAX_CPUS + " CPUs, got " + cpus);
        ByteBuffer b = header("APIC", 5, madtSize(cpus));
        b.putInt((int) LAPIC_BASE).putInt(MADT_PCAT_COMPAT); // PCAT_COMPAT: the 8259s are there (KVM's in-kernel PIC)
        for (int id = 0; id < cpus; id++) {
            b.put((byte) MADT_LAPIC).put((byte) 8).put((byte) id).put((byte) id).putInt(1); // enabled
        }
        b.put((byte) MADT_IOAPIC).put((byte) 12).put((byte) cpus).put((byte) 0).putInt((int) IOAPIC_BASE).putInt(0);
        b.put((byte) MADT_ISO).put((byte) 10).put((byte) 0).put((byte) 0).putInt(0).putShort((short) MPS_INTI_CONFORMS);
        b.put((byte) MADT_LAPIC_NMI).put((byte) 6).put((byte) 0xff).putShort((short) MPS_INTI_CONFORMS).put((byte) 1);
        return finish(b);
    }

    /**
     * FADT revision 6.4 with {@code HW_REDUCED_ACPI} (see the class comment): the DSDT in both the
     * 32- and 64-bit fields; no SCI, SMI command, PM blocks or FACS; the reset register when the
     * machine has one; the IA-PC boot flags for what this PC has: legacy ISA devices (COM1), the
     * 8042 if present, no MSI (there is no PCI), no CMOS RTC only if it is absent. VGA is not
     * declared absent (the legacy VGA window is reserved for a text buffer).
     */
    public static byte[] fadt(Config cfg, long dsdt) {
        ByteBuffer b = header("FACP", 6, FADT_SIZE);
        b.putInt(36, 0);                 // FIRMWARE_CTRL: no FACS (optional when hardware-reduced)
        b.putInt(40, (int) dsdt);        // DSDT
        b.put(45, (byte) 0);             // preferred PM profile: unspecified
        b.put(108, (byte) cfg.century());
        int boot = BOOT_LEGACY_DEVICES | BOOT_NO_MSI | (cfg.i8042() ? BOOT_8042 : 0) | (cfg.century() == 0 ? BOOT_NO_CMOS_RTC : 0);
        b.putShort(109, (short) boot);
        int flags = FADT_WBINVD | FADT_HW_REDUCED_ACPI | (cfg.resetPort() >= 0 ? FADT_RESET_REG_SUP : 0);
        b.putInt(112, flags);
        if (cfg.resetPort() >= 0) {
            gas(b, 116, 1, 8, 0, 1, cfg.resetPort()); // system I/O, 8 bits, byte access
            b.put(128, (byte) cfg.resetValue());
        }
        b.put(131, (byte) 4);            // FADT minor version: ACPI 6.4
        b.putLong(140, dsdt);            // X_DSDT
        b.position(FADT_SIZE);
        return finish(b);
    }

    /** A Generic Address Structure at {@code off}. */
    private static void gas(ByteBuffer b, int off, int space, int bitWidth, int bitOffset, int accessSize, long address) {
        b.put(off, (byte) space).put(off + 1, (byte) bitWidth).put(off + 2, (byte) bitOffset).put(off + 3, (byte) accessSize)
                .putLong(off + 4, address);
    }

    /** Device kinds the DSDT knows, with their hardware ID (PNP0600: a generic ESDI/IDE/ATA controller). */
    static String hidOf(String kind) {
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "ide": return "PNP0600";
            case "serial": return "PNP0501";
            case "i8042": return "PNP0303";
            case "rtc": return "PNP0B00";
            case "virtio-mmio": return "LNRO0005";
            default: return "PNP0C02"; // motherboard resources: at least keeps the OS off these ports
        }
    }

    /**
     * The DSDT: in {@code \_SB}, a Processor device (ACPI0007, {@code _UID} = the MADT's processor
     * UID) per CPU; each COM port (PNP0501, its 8 ports and ISA IRQ); each port-I/O device (for
     * kind {@code ide}: PNP0600 with the command block, the control register at command block +
     * 0x206 and its IRQ); each MMIO device (for kind {@code virtio-mmio}: LNRO0005 with
     * Memory32Fixed and an edge-triggered, active-high Interrupt, as Firecracker and QEMU microvm
     * describe it).
     */
    public static byte[] dsdt(Config cfg) {
        List<byte[]> sb = new ArrayList<>();
        for (int i = 0; i < cfg.cpus(); i++) {
            sb.add(Aml.device(seg("C", i), Aml.name("_HID", Aml.string("ACPI0007")), Aml.name("_UID", Aml.integer(i))));
        }
        for (PlatformInfo.SerialPort p : cfg.serialPorts()) {
            sb.add(Aml.device(p.index() >= 0 && p.index() < 9 ? "COM" + (p.index() + 1) : seg("S", p.index()),
                    Aml.name("_HID", Aml.eisaId("PNP0501")),
                    Aml.name("_UID", Aml.integer(p.index())),
                    Aml.name("_CRS", Aml.resourceTemplate(Aml.io(p.ioBase(), p.ioBase(), 0, 8), irq(p.irq())))));
        }
        int n = 0;
        for (PlatformInfo.IoDevice d : cfg.ioDevices()) {
            String hid = hidOf(d.kind());
            List<byte[]> res = new ArrayList<>();
            res.add(Aml.io(d.ioBase(), d.ioBase(), 0, d.ioLength()));
            if (hid.equals("PNP0600")) res.add(Aml.io(d.ioBase() + 0x206, d.ioBase() + 0x206, 0, 1));
            if (d.irq() >= 0) res.add(irq(d.irq()));
            sb.add(Aml.device(seg("D", n), hidTerm(hid), Aml.name("_UID", Aml.integer(n)),
                    Aml.name("_CRS", Aml.resourceTemplate(res.toArray(new byte[0][])))));
            n++;
        }
        n = 0;
        for (PlatformInfo.MmioDevice d : cfg.mmioDevices()) {
            List<byte[]> res = new ArrayList<>();
            res.add(Aml.memory32Fixed(true, d.base(), d.size()));
            if (d.irq() >= 0) res.add(Aml.extendedInterrupt(true, true, false, false, d.irq()));
            sb.add(Aml.device(seg("M", n), hidTerm(hidOf(d.kind())), Aml.name("_UID", Aml.integer(n)),
                    Aml.name("_CRS", Aml.resourceTemplate(res.toArray(new byte[0][])))));
            n++;
        }
        byte[] aml = Aml.scope("\\_SB", sb.toArray(new byte[0][]));
        ByteBuffer b = header("DSDT", 2, HEADER_SIZE + aml.length);
        b.put(aml);
        return finish(b);
    }

    /** An ISA IRQ as IRQNoFlags (0-15), a higher GSI as an extended Interrupt descriptor. */
    private static byte[] irq(int irq) {
        return irq < 16 ? Aml.irqNoFlags(irq) : Aml.extendedInterrupt(true, true, false, false, irq);
    }

    /** {@code _HID}: an EISA id compresses to an integer; other ids (LNRO0005, ACPI0007) stay strings. */
    private static byte[] hidTerm(String hid) {
        return Aml.name("_HID", isEisaId(hid) && !hid.startsWith("LNR") ? Aml.eisaId(hid) : Aml.string(hid));
    }

    /** Three capital letters and four upper-case hex digits (what {@code [A-Z]{3}[0-9A-F]{4}} matches). */
    static boolean isEisaId(String id) {
        if (id.length() != 7) return false;
        for (int i = 0; i < 7; i++) {
            char c = id.charAt(i);
            boolean ok = i < 3 ? c >= 'A' && c <= 'Z' : (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
            if (!ok) return false;
        }
        return true;
    }

    /** A device name: a letter and three hex digits (4096 per letter). */
    private static String seg(String letter, int n) {
        if (n < 0 || n > 0xfff) throw new IllegalArgumentException("too many devices for the DSDT: " + n);
        String hex = Integer.toHexString(n).toUpperCase(Locale.ROOT);
        return letter + "000".substring(hex.length()) + hex; // %03X without a Formatter (~1 ms to set up at start)
    }

    /** A table header with signature, revision and length; checksum filled by {@link #finish}. */
    private static ByteBuffer header(String sig, int revision, int length) {
        ByteBuffer b = le(length);
        b.put(sig.getBytes(StandardCharsets.US_ASCII)).putInt(length).put((byte) revision).put((byte) 0).put(ascii(OEM_ID, 6))
                .put(ascii(OEM_TABLE_ID, 8)).putInt(OEM_REVISION).put(ascii(CREATOR_ID, 4)).putInt(CREATOR_REVISION);
        return b;
    }

    private static byte[] finish(ByteBuffer b) {
        byte[] t = b.array();
        if (b.position() != t.length) throw new IllegalStateException("ACPI table size mismatch: " + b.position() + " != " + t.length);
        t[9] = checksum(t, 0, t.length);
        return t;
    }

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    private static byte[] ascii(String s, int n) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) ' ');
        byte[] src = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(src, 0, out, 0, Math.min(n, src.length));
        return out;
    }

    /** The byte that makes {@code [off, off+len)} sum to zero (mod 256). */
    public static byte checksum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) sum += b[i];
        return (byte) -sum;
    }

    /** Whether {@code [off, off+len)} sums to zero (mod 256). */
    public static boolean checksumOk(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) sum += b[i];
        return (sum & 0xff) == 0;
    }
}
