package io.minivmm.vmm.acpi;

import io.minivmm.vmm.memory.PhysMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the ACPI tables out of guest memory as an OS does: the RSDP by the standard scan (the
 * EBDA's first KiB through the segment at 0x40E, then 0xE0000-0xFFFFF), then the XSDT and the
 * tables it lists, and the DSDT through the FADT. Every checksum and length is checked; a
 * failure is an AssertionError naming the table.
 */
public final class AcpiReader {
    public final long rsdp;
    /** Table bytes by signature (RSDP included as "RSDP"), in discovery order. */
    public final Map<String, byte[]> tables = new LinkedHashMap<>();
    public final Map<String, Long> addresses = new LinkedHashMap<>();

    public AcpiReader(PhysMemory mem) {
        rsdp = scan(mem);
        if (rsdp < 0) throw new AssertionError("no RSDP found by the standard scan");
        byte[] r = read(mem, rsdp, AcpiTables.RSDP_SIZE);
        check(AcpiTables.checksumOk(r, 0, 20), "RSDP checksum");
        check(AcpiTables.checksumOk(r, 0, 36), "RSDP extended checksum");
        check(r[15] == 2, "RSDP revision 2");
        check(le(r, 20, 4) == 36, "RSDP length");
        tables.put("RSDP", r);
        addresses.put("RSDP", rsdp);
        byte[] rsdt = table(mem, le(r, 16, 4), "RSDT");
        byte[] xsdt = table(mem, le(r, 24, 8), "XSDT");
        check((rsdt.length - 36) / 4 == (xsdt.length - 36) / 8, "RSDT and XSDT list as many tables");
        for (int i = 0; i < (xsdt.length - 36) / 8; i++) {
            long a = le(xsdt, 36 + 8 * i, 8);
            check(a == le(rsdt, 36 + 4 * i, 4), "RSDT and XSDT entry " + i + " agree");
            byte[] t = table(mem, a, null);
            if (sig(t).equals("FACP")) {
                long dsdt32 = le(t, 40, 4), dsdt64 = le(t, 140, 8);
                check(dsdt32 == dsdt64, "FADT DSDT and X_DSDT agree");
                table(mem, dsdt64, "DSDT");
            }
        }
    }

    /** The standard scan; -1 when not found. */
    public static long scan(PhysMemory mem) {
        long ebda = (le(read(mem, 0x40e, 2), 0, 2)) << 4;
        if (ebda > 0x400 && ebda < 0xa0000) {
            long a = scan(mem, ebda, 1024);
            if (a >= 0) return a;
        }
        return scan(mem, 0xe0000, 0x20000);
    }

    private static long scan(PhysMemory mem, long from, int len) {
        byte[] b = read(mem, from, len);
        for (int off = 0; off + 20 <= len; off += 16) {
            if (new String(b, off, 8, StandardCharsets.US_ASCII).equals("RSD PTR ") && AcpiTables.checksumOk(b, off, 20)) return from + off;
        }
        return -1;
    }

    private byte[] table(PhysMemory mem, long at, String want) {
        byte[] head = read(mem, at, 36);
        int len = (int) le(head, 4, 4);
        check(len >= 36 && len < 1 << 20, "table length at 0x" + Long.toHexString(at));
        byte[] t = read(mem, at, len);
        String s = sig(t);
        if (want != null) check(s.equals(want), "expected " + want + " at 0x" + Long.toHexString(at) + ", found " + s);
        check(AcpiTables.checksumOk(t, 0, len), s + " checksum");
        check(!tables.containsKey(s), s + " listed twice");
        tables.put(s, t);
        addresses.put(s, at);
        return t;
    }

    /** Processor Local APIC entries of the MADT that are enabled. */
    public int enabledLapics() {
        int n = 0;
        byte[] m = tables.get("APIC");
        for (int off = 44; off < m.length; off += m[off + 1] & 0xff) {
            check((m[off + 1] & 0xff) >= 2 && off + (m[off + 1] & 0xff) <= m.length, "MADT entry length at " + off);
            if (m[off] == 0 && (m[off + 4] & 1) != 0) n++;
        }
        return n;
    }

    public static String sig(byte[] t) { return new String(t, 0, 4, StandardCharsets.US_ASCII); }

    public static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    static byte[] read(PhysMemory mem, long at, int len) {
        byte[] b = new byte[len];
        mem.read(at, b, 0, len);
        return b;
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError("ACPI: " + what);
    }

    static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }
}
