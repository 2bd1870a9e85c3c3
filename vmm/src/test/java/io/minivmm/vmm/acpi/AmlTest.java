package io.minivmm.vmm.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The AML encoder byte for byte against what iasl 20200925 compiles from the equivalent ASL
 * (the expected bytes were taken from {@code iasl} output: the ASL is in each comment).
 */
class AmlTest {
    private static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    // Device (COM1) { Name (_HID, EisaId ("PNP0501")) Name (_UID, Zero)
    //   Name (_CRS, ResourceTemplate () { IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08, ) IRQNoFlags () {4} }) }
    static final String COM1 = "5b822b 434f4d31 085f484944 0c41d00501 085f55494400"
            + " 085f435253 11100a0d 4701f803f8030008 221000 7900";
    // Device (VR00) { Name (_HID, "LNRO0005") Name (_UID, 0x1234) Name (_CRS, ResourceTemplate () {
    //   Memory32Fixed (ReadWrite, 0xD0000000, 0x00001000, ) Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) {5} }) }
    static final String VR00 = "5b823c 56523030 085f4849440d4c4e524f3030303500 085f5549440b3412"
            + " 085f435253 111a0a17 860900010000 00d0 00100000 89060003010500000079 00";
    // Name (PKG0, Package () { 0x12345678, 0x123456789A, "ab", One })
    static final String PKG0 = "08504b4730 1215 04 0c78563412 0e9a78563412000000 0d616200 01";

    private static byte[] com1() {
        return Aml.device("COM1", Aml.name("_HID", Aml.eisaId("PNP0501")), Aml.name("_UID", Aml.integer(0)),
                Aml.name("_CRS", Aml.resourceTemplate(Aml.io(0x3f8, 0x3f8, 0, 8), Aml.irqNoFlags(4))));
    }

    private static byte[] vr00() {
        return Aml.device("VR00", Aml.name("_HID", Aml.string("LNRO0005")), Aml.name("_UID", Aml.integer(0x1234)),
                Aml.name("_CRS", Aml.resourceTemplate(Aml.memory32Fixed(true, 0xd000_0000L, 0x1000),
                        Aml.extendedInterrupt(true, true, false, false, 5))));
    }

    private static byte[] pkg0() {
        return Aml.name("PKG0", Aml.pkg(Aml.integer(0x12345678), Aml.integer(0x123456789aL), Aml.string("ab"), Aml.integer(1)));
    }

    @Test
    void devicesWithResourceTemplatesMatchIasl() {
        assertArrayEquals(hex(COM1), com1());
        assertArrayEquals(hex(VR00), vr00());
        assertArrayEquals(hex(PKG0), pkg0());
    }

    @Test
    void scopeWithTwoBytePackageLengthMatchesIasl() {
        // Scope (\_SB) { COM1 VR00 PKG0 } at the root: iasl drops the root prefix (its name-path
        // optimisation); 0x8a bytes of content, so a two-byte PkgLength (0x4c 0x08).
        assertArrayEquals(hex("104c08 5f53425f" + COM1 + VR00 + PKG0), Aml.scope("_SB", com1(), vr00(), pkg0()));
        byte[] rooted = Aml.scope("\\_SB", com1(), vr00(), pkg0());
        assertArrayEquals(hex("104d08 5c5f53425f" + COM1 + VR00 + PKG0), rooted);
    }

    @Test
    void integersTakeTheShortestEncoding() {
        assertArrayEquals(hex("00"), Aml.integer(0));
        assertArrayEquals(hex("01"), Aml.integer(1));
        assertArrayEquals(hex("ff"), Aml.integer(-1)); // Ones
        assertArrayEquals(hex("0aff"), Aml.integer(0xff));
        assertArrayEquals(hex("0b0001"), Aml.integer(0x100));
        assertArrayEquals(hex("0c78563412"), Aml.integer(0x12345678));
        assertArrayEquals(hex("0e9a78563412000000"), Aml.integer(0x123456789aL));
    }

    @Test
    void namePathsMatchIasl() {
        assertArrayEquals(hex("5c2e5f53425f585f5f5f"), Aml.nameString("\\_SB.X"));        // Name (\_SB.X, ...)
        assertArrayEquals(hex("5e5e595f5f5f"), Aml.nameString("^^Y"));                      // Name (^^Y, ...)
        assertArrayEquals(hex("5c2f045f53425f415f5f5f425f5f5f435f5f5f"), Aml.nameString("\\_SB.A.B.C"));
        assertArrayEquals(hex("5c00"), Aml.nameString("\\"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameSeg("1ABC"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameSeg("ABCDE"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameSeg("ab"));
    }

    @Test
    void pkgLengthBoundariesMatchIasl() {
        // Buffer () { 100 bytes }: 11 48 06 0a 64 ...; Buffer () { 5000 bytes }: 11 8e 38 01 0b 88 13 ...
        byte[] b100 = Aml.buffer(new byte[100]);
        assertArrayEquals(hex("1148060a64"), java.util.Arrays.copyOf(b100, 5));
        byte[] b5k = Aml.buffer(new byte[5000]);
        assertArrayEquals(hex("118e38010b8813"), java.util.Arrays.copyOf(b5k, 7));
        assertArrayEquals(hex("3f"), Aml.pkgLength(62));
        assertArrayEquals(hex("4104"), Aml.pkgLength(63));
        assertArrayEquals(hex("4fff"), Aml.pkgLength(0xfff - 2));
        assertArrayEquals(hex("810001"), Aml.pkgLength(0xfff - 1));     // 0x1001 bytes with its 3-byte PkgLength
        assertArrayEquals(hex("8fffff"), Aml.pkgLength(0xfffff - 3));
        assertArrayEquals(hex("c1000001"), Aml.pkgLength(0xfffff - 2));
        assertThrows(IllegalArgumentException.class, () -> Aml.pkgLength(0x0fffffff));
    }

    @Test
    void eisaIdsCompressAsAslDoes() {
        assertArrayEquals(hex("0c41d00501"), Aml.eisaId("PNP0501"));
        assertArrayEquals(hex("0c41d00600"), Aml.eisaId("PNP0600"));
        assertArrayEquals(hex("0c41d00303"), Aml.eisaId("PNP0303"));
        assertThrows(IllegalArgumentException.class, () -> Aml.eisaId("pnp0501"));
    }

    @Test
    void eisaIdCheckAgreesWithTheGrammar() {
        // the grammar as a regular expression, which Aml itself avoids (docs/STARTUP.md)
        java.util.regex.Pattern grammar = java.util.regex.Pattern.compile("[A-Z@\\[\\\\\\]^_]{3}[0-9A-F]{4}");
        java.util.Random rnd = new java.util.Random(501);
        String letters = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_", hex = "0123456789ABCDEF";
        String other = "`?az09AFG/:\u00c0\u0141";
        int valid = 0;
        for (int n = 0; n < 50_000; n++) {
            // a valid id, then (three times in four) one character replaced, dropped or added
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3; i++) sb.append(letters.charAt(rnd.nextInt(letters.length())));
            for (int i = 0; i < 4; i++) sb.append(hex.charAt(rnd.nextInt(hex.length())));
            switch (rnd.nextInt(4)) {
                case 0 -> sb.setCharAt(rnd.nextInt(7), other.charAt(rnd.nextInt(other.length())));
                case 1 -> sb.deleteCharAt(rnd.nextInt(7));
                case 2 -> sb.insert(rnd.nextInt(8), (letters + hex + other).charAt(rnd.nextInt(letters.length() + hex.length() + other.length())));
                default -> { }
            }
            String id = sb.toString();
            boolean ok = grammar.matcher(id).matches();
            if (ok) valid++;
            assertEquals(ok, Aml.isEisaId(id), id);
            if (ok) assertEquals(5, Aml.eisaId(id).length, id);
            else assertThrows(IllegalArgumentException.class, () -> Aml.eisaId(id), id);
        }
        assertTrue(valid > 10_000 && valid < 40_000, "valid ids among the cases: " + valid);
        assertTrue(Aml.isEisaId("@[_0000") && Aml.isEisaId("^\\]FFFF") && !Aml.isEisaId("`AA0000"));
    }

    @Test
    void resourceDescriptorsRejectOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class, () -> Aml.irqNoFlags(16));
        assertThrows(IllegalArgumentException.class, () -> Aml.io(0x10000, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Aml.memory32Fixed(true, 0x1_0000_0000L, 1));
        assertEquals(0x89, Aml.extendedInterrupt(true, false, true, true, 23)[0] & 0xff);
        assertEquals(0x0d, Aml.extendedInterrupt(true, false, true, true, 23)[3]); // consumer | low | shared, level
    }
}
