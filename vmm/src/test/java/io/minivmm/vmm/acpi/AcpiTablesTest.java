package io.minivmm.vmm.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.machine.PlatformInfo;
import io.minivmm.vmm.paging.ArrayPhysMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The table builders without a machine: checksums, lengths, layout, MADT contents; seeded fuzz over CPU and device counts. */
class AcpiTablesTest {
    static AcpiTables.Config config(int cpus, int serial, int io, int mmio) {
        List<PlatformInfo.SerialPort> s = new ArrayList<>();
        int[] bases = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
        for (int i = 0; i < serial; i++) s.add(new PlatformInfo.SerialPort(i, bases[i], i % 2 == 0 ? 4 : 3));
        List<PlatformInfo.IoDevice> d = new ArrayList<>();
        for (int i = 0; i < io; i++) {
            d.add(i % 2 == 0 ? new PlatformInfo.IoDevice("ide", "ide" + i, i % 4 == 0 ? 0x1f0 : 0x170, 8, i % 4 == 0 ? 14 : 15)
                    : new PlatformInfo.IoDevice("thing", "thing" + i, 0x500 + 16 * i, 16, i % 3 == 0 ? -1 : 20));
        }
        List<PlatformInfo.MmioDevice> m = new ArrayList<>();
        for (int i = 0; i < mmio; i++) m.add(new PlatformInfo.MmioDevice("virtio-mmio", "virtio" + i, 0xd000_0000L + 0x1000L * i, 0x1000, 5 + i % 19));
        return new AcpiTables.Config(cpus, s, d, m, 0xcf9, 6, 0x32, true);
    }

    /** Every table in the block has a valid header: its length lies inside, its checksum is zero, tables do not overlap. */
    static void checkBlock(AcpiTables.Config cfg, AcpiTables.Block b) {
        AcpiTables.Layout l = b.layout;
        long[] at = {l.dsdt(), l.fadt(), l.madt(), l.rsdt(), l.xsdt()};
        String[] sig = {"DSDT", "FACP", "APIC", "RSDT", "XSDT"};
        long prevEnd = l.base();
        for (int i = 0; i < at.length; i++) {
            int off = (int) (at[i] - l.base());
            assertEquals(0, at[i] & 15, sig[i] + " aligned");
            assertTrue(at[i] >= prevEnd, sig[i] + " overlaps the previous table");
            assertEquals(sig[i], AcpiReader.sig(java.util.Arrays.copyOfRange(b.bytes, off, off + 4)));
            int len = (int) AcpiReader.le(b.bytes, off + 4, 4);
            assertTrue(off + len <= b.bytes.length, sig[i] + " runs past the block");
            assertTrue(AcpiTables.checksumOk(b.bytes, off, len), sig[i] + " checksum");
            prevEnd = at[i] + len;
        }
        byte[] madt = java.util.Arrays.copyOfRange(b.bytes, (int) (l.madt() - l.base()), (int) (l.madt() - l.base()) + AcpiTables.madtSize(cfg.cpus()));
        int lapics = 0, ioapics = 0, isos = 0, nmis = 0, off = 44;
        while (off < madt.length) {
            int type = madt[off] & 0xff, len = madt[off + 1] & 0xff;
            assertTrue(len >= 2 && off + len <= madt.length, "MADT entry length");
            if (type == 0) {
                assertEquals(lapics, madt[off + 2] & 0xff, "processor UID");
                assertEquals(lapics, madt[off + 3] & 0xff, "APIC ID");
                assertEquals(1, madt[off + 4] & 1, "enabled");
                lapics++;
            } else if (type == 1) {
                ioapics++;
                assertEquals(cfg.cpus(), madt[off + 2] & 0xff, "I/O APIC ID after the CPUs' (as in the MP table)");
                assertEquals(0xfec0_0000L, AcpiReader.le(madt, off + 4, 4));
                assertEquals(0, AcpiReader.le(madt, off + 8, 4), "GSI base");
            } else if (type == 2) {
                isos++;
                assertEquals(0, madt[off + 3], "ISA IRQ 0");
                assertEquals(0, AcpiReader.le(madt, off + 4, 4), "IRQ 0 -> GSI 0: KVM's default routing");
            } else if (type == 4) {
                nmis++;
                assertEquals(1, madt[off + 5], "LINT1");
            }
            off += len;
        }
        assertEquals(madt.length, off, "MADT entries fill it exactly");
        assertEquals(cfg.cpus(), lapics);
        assertEquals(1, ioapics);
        assertEquals(1, isos);
        assertEquals(1, nmis);
        // The DSDT's AML: one Scope whose PkgLength reaches exactly to the table's end.
        int d = (int) (l.dsdt() - l.base());
        int dsdtLen = (int) AcpiReader.le(b.bytes, d + 4, 4);
        assertEquals(0x10, b.bytes[d + 36], "ScopeOp");
        int lead = b.bytes[d + 37] & 0xff, n = lead >> 6;
        long pkg = n == 0 ? lead & 0x3f : lead & 0xf;
        for (int i = 1; i <= n; i++) pkg |= (long) (b.bytes[d + 37 + i] & 0xff) << (4 + 8 * (i - 1));
        assertEquals(dsdtLen - 37, pkg, "Scope package length");
    }

    @Test
    void everyCpuCountFrom1To254() {
        Random rnd = new Random(10);
        for (int cpus = 1; cpus <= AcpiTables.MAX_CPUS; cpus++) {
            AcpiTables.Config cfg = config(cpus, rnd.nextInt(5), rnd.nextInt(8), rnd.nextInt(20));
            long base = 0x1000 + 16L * rnd.nextInt(0x8000);
            AcpiTables.Block b = AcpiTables.block(cfg, base);
            assertEquals(AcpiTables.blockSize(cfg), b.bytes.length);
            checkBlock(cfg, b);
        }
    }

    @Test
    void manyDevicesFuzz() {
        Random rnd = new Random(4242);
        for (int i = 0; i < 300; i++) {
            AcpiTables.Config cfg = config(1 + rnd.nextInt(254), rnd.nextInt(5), rnd.nextInt(64), rnd.nextInt(200));
            checkBlock(cfg, AcpiTables.block(cfg, 16L * rnd.nextInt(1 << 20)));
        }
    }

    @Test
    void eisaIdsAreThreeLettersAndFourHexDigits() {
        java.util.regex.Pattern oracle = java.util.regex.Pattern.compile("[A-Z]{3}[0-9A-F]{4}");
        for (String id : new String[] {"PNP0501", "PNP0600", "ACPI0007", "LNRO0005", "pnp0501", "PNP050", "PNP050G",
                "PN10501", "PNP0a01", "QEMU0002", "", "ZZZFFFF", "AAA0000"}) {
            assertEquals(oracle.matcher(id).matches(), AcpiTables.isEisaId(id), id);
        }
        Random rnd = new Random(77);
        String alphabet = "AFGZ09afz@[/:";
        for (int n = 0; n < 50_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 6 + rnd.nextInt(3); i > 0; i--) sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            assertEquals(oracle.matcher(sb).matches(), AcpiTables.isEisaId(sb.toString()), sb.toString());
        }
    }

    @Test
    void rsdpHasBothChecksumsAndPointers() {
        byte[] r = AcpiTables.rsdp(0x9f100, 0x9f200);
        assertEquals(36, r.length);
        assertEquals("RSD PTR ", new String(r, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(AcpiTables.checksumOk(r, 0, 20));
        assertTrue(AcpiTables.checksumOk(r, 0, 36));
        assertEquals(2, r[15]);
        assertEquals(0x9f100, AcpiReader.le(r, 16, 4));
        assertEquals(36, AcpiReader.le(r, 20, 4));
        assertEquals(0x9f200, AcpiReader.le(r, 24, 8));
    }

    @Test
    void fadtIsHardwareReducedAndPointsAtTheDsdtTwice() {
        AcpiTables.Config cfg = config(2, 1, 0, 0);
        byte[] f = AcpiTables.fadt(cfg, 0x9e010);
        assertEquals(276, f.length);
        assertEquals(6, f[8]);
        assertEquals(0x9e010, AcpiReader.le(f, 40, 4));
        assertEquals(0x9e010, AcpiReader.le(f, 140, 8));
        long flags = AcpiReader.le(f, 112, 4);
        assertTrue((flags & (1 << 20)) != 0, "HW_REDUCED_ACPI");
        assertTrue((flags & (1 << 10)) != 0, "RESET_REG_SUP");
        assertEquals(0xcf9, AcpiReader.le(f, 120, 8), "reset register: port 0xcf9");
        assertEquals(0, AcpiReader.le(f, 46, 2), "no SCI");
        assertEquals(0, AcpiReader.le(f, 56, 4), "no PM1a event block");
        long boot = AcpiReader.le(f, 109, 2);
        assertEquals(0b1011, boot, "legacy devices, 8042, no MSI; VGA and the CMOS RTC present");
        AcpiTables.Config bare = new AcpiTables.Config(1, List.of(), List.of(), List.of(), -1, 0, 0, false);
        byte[] g = AcpiTables.fadt(bare, 0x1000);
        assertEquals(0, AcpiReader.le(g, 112, 4) & (1 << 10), "no reset register without the device");
        assertEquals(0b101001, AcpiReader.le(g, 109, 2), "no 8042, no CMOS RTC");
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> config(0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> config(255, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> AcpiTables.block(config(1, 0, 0, 0), 0xffff_fff0L));
        assertThrows(IllegalArgumentException.class, () -> AcpiTables.block(config(1, 0, 0, 0), 0x1008));
    }

    /** The tables as an OS finds them in memory at the addresses they were built for. */
    @Test
    void readerWalksTheBuiltTables() {
        AcpiTables.Config cfg = config(4, 1, 2, 3);
        ArrayPhysMemory mem = new ArrayPhysMemory(0, 1 << 20);
        AcpiTables.Block b = AcpiTables.block(cfg, 0x9e000);
        mem.write(0x9e000, b.bytes, 0, b.bytes.length);
        byte[] r = AcpiTables.rsdp(b.layout.rsdt(), b.layout.xsdt());
        mem.write(0xf0010, r, 0, r.length); // no EBDA pointer: the BIOS-area scan finds it
        AcpiReader reader = new AcpiReader(mem);
        assertEquals(0xf0010, reader.rsdp);
        assertEquals(4, reader.enabledLapics());
        assertEquals(List.of("RSDP", "RSDT", "XSDT", "FACP", "DSDT", "APIC"), List.copyOf(reader.tables.keySet()));
    }
}
