package io.minivmm.vmm.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small encoder for the ACPI Machine Language (ACPI 6.4, chapter 20) and the resource
 * descriptors of {@code _CRS} buffers (chapter 6.4): just what a static DSDT needs to name devices
 * and their resources. Each method returns the encoded bytes of one term; terms nest by passing
 * the bytes of the inner terms. Every encoding matches what {@code iasl} emits for the equivalent
 * ASL (the unit tests compare byte for byte).
 * <pre>{@code
 * byte[] com1 = Aml.device("COM1",
 *         Aml.name("_HID", Aml.eisaId("PNP0501")),
 *         Aml.name("_CRS", Aml.resourceTemplate(Aml.io(0x3f8, 0x3f8, 0, 8), Aml.irqNoFlags(4))));
 * byte[] body = Aml.scope("\\_SB_", com1);
 * }</pre>
 */
public final class Aml {
    private Aml() {}

    static final int ZERO_OP = 0x00, ONE_OP = 0x01, ONES_OP = 0xff, NAME_OP = 0x08, BYTE_PREFIX = 0x0a,
            WORD_PREFIX = 0x0b, DWORD_PREFIX = 0x0c, STRING_PREFIX = 0x0d, QWORD_PREFIX = 0x0e, SCOPE_OP = 0x10,
            BUFFER_OP = 0x11, PACKAGE_OP = 0x12, EXT_OP_PREFIX = 0x5b, DEVICE_OP = 0x82, ROOT_CHAR = 0x5c,
            PARENT_PREFIX = 0x5e, DUAL_NAME_PREFIX = 0x2e, MULTI_NAME_PREFIX = 0x2f;
    /** Resource descriptor tags (ACPI 6.4, 6.4.2 small and 6.4.3 large items). */
    static final int RES_IRQ_NO_FLAGS = 0x22, RES_IO = 0x47, RES_END = 0x79, RES_MEMORY32_FIXED = 0x86,
            RES_EXTENDED_INTERRUPT = 0x89;

    /** The bytes of all {@code parts}, one after the other. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /**
     * A NameSeg: one to four characters, the first {@code A-Z} or {@code _}, the others also
     * digits; shorter names are padded with {@code _} as ASL does.
     */
    public static byte[] nameSeg(String seg) {
        if (seg.isEmpty() || seg.length() > 4) throw new IllegalArgumentException("AML name segment '" + seg + "' is not 1-4 characters");
        byte[] out = new byte[] {'_', '_', '_', '_'};
        for (int i = 0; i < seg.length(); i++) {
            char c = seg.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9';
            if (!ok) throw new IllegalArgumentException("AML name segment '" + seg + "' has a bad character '" + c + "'");
            out[i] = (byte) c;
        }
        return out;
    }

    /** A NameString: an optional root ({@code \}) or parent ({@code ^}) prefix, then dot-separated segments. */
    public static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        if (path.startsWith("\\")) {
            out.write(ROOT_CHAR);
            i = 1;
        } else {
            while (i < path.length() && path.charAt(i) == '^') {
                out.write(PARENT_PREFIX);
                i++;
            }
        }
        String rest = path.substring(i);
        String[] segs = rest.isEmpty() ? new String[0] : rest.split("\\.", -1);
        if (segs.length > 255) throw new IllegalArgumentException("AML name '" + path + "' has too many segments");
        if (segs.length == 0) out.write(0); // NullName
        else if (segs.length == 2) out.write(DUAL_NAME_PREFIX);
        else if (segs.length > 2) {
            out.write(MULTI_NAME_PREFIX);
            out.write(segs.length);
        }
        for (String s : segs) out.writeBytes(nameSeg(s));
        return out.toByteArray();
    }

    /** The shortest encoding of a constant integer (ZeroOp, OneOp, OnesOp or a prefixed 1/2/4/8-byte value). */
    public static byte[] integer(long v) {
        if (v == 0) return new byte[] {ZERO_OP};
        if (v == 1) return new byte[] {ONE_OP};
        if (v == -1) return new byte[] {(byte) ONES_OP};
        if ((v & ~0xffL) == 0) return new byte[] {BYTE_PREFIX, (byte) v};
        if ((v & ~0xffffL) == 0) return le(WORD_PREFIX, v, 2);
        if ((v & ~0xffff_ffffL) == 0) return le(DWORD_PREFIX, v, 4);
        return le(QWORD_PREFIX, v, 8);
    }

    /** A string constant (printable ASCII, NUL-terminated in AML). */
    public static byte[] string(String s) {
        byte[] chars = s.getBytes(StandardCharsets.US_ASCII);
        for (byte c : chars) {
            if (c < 0x01 || c > 0x7f) throw new IllegalArgumentException("AML string '" + s + "' is not ASCII without NUL");
        }
        byte[] out = new byte[chars.length + 2];
        out[0] = STRING_PREFIX;
        System.arraycopy(chars, 0, out, 1, chars.length);
        return out;
    }

    /**
     * {@code EisaId("PNP0501")} as ASL compiles it: three letters of 5 bits each and four hex
     * digits, stored as a big-endian 32-bit value, encoded as a DWord constant.
     */
    public static byte[] eisaId(String id) {
        if (!isEisaId(id)) throw new IllegalArgumentException("bad EISA id '" + id + "'");
        int v = ((id.charAt(0) - 0x40) << 26) | ((id.charAt(1) - 0x40) << 21) | ((id.charAt(2) - 0x40) << 16)
                | Integer.parseInt(id.substring(3), 16);
        return le(DWORD_PREFIX, Integer.reverseBytes(v) & 0xffff_ffffL, 4);
    }

    /**
     * Three characters of the 5-bit alphabet {@code @A-Z[\]^_} (0x40-0x5f) and four upper-case
     * hex digits. A loop rather than a regular expression: {@code java.util.regex} is otherwise
     * not loaded on the CLI's start path (docs/STARTUP.md).
     */
    static boolean isEisaId(String id) {
        if (id.length() != 7) return false;
        for (int i = 0; i < 3; i++) {
            char c = id.charAt(i);
            if (c < 0x40 || c > 0x5f) return false;
        }
        for (int i = 3; i < 7; i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'F')) return false;
        }
        return true;
    }

    /** {@code Name (name, value)}. */
    public static byte[] name(String name, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(name), value);
    }

    /** {@code Scope (name) { terms }}. */
    public static byte[] scope(String name, byte[]... terms) {
        return concat(new byte[] {SCOPE_OP}, withPkgLength(concat(nameString(name), concat(terms))));
    }

    /** {@code Device (name) { terms }}. */
    public static byte[] device(String name, byte[]... terms) {
        return concat(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, withPkgLength(concat(nameString(name), concat(terms))));
    }

    /** {@code Package () { elements }} (at most 255 elements). */
    public static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) throw new IllegalArgumentException("AML package of " + elements.length + " elements");
        return concat(new byte[] {PACKAGE_OP}, withPkgLength(concat(new byte[] {(byte) elements.length}, concat(elements))));
    }

    /** {@code Buffer () { data }}: the size as an integer term, then the bytes. */
    public static byte[] buffer(byte[] data) {
        return concat(new byte[] {BUFFER_OP}, withPkgLength(concat(integer(data.length), data)));
    }

    /**
     * The PkgLength encoding of a package whose contents (after the PkgLength) are
     * {@code contentLength} bytes: the length counts the PkgLength bytes themselves; one byte up
     * to 63, else a lead byte with the count of following bytes in bits 7-6 and the low nibble,
     * then 8 bits per byte.
     */
    public static byte[] pkgLength(int contentLength) {
        if (contentLength < 0) throw new IllegalArgumentException("negative package length");
        if (contentLength + 1 <= 0x3f) return new byte[] {(byte) (contentLength + 1)};
        for (int n = 2; n <= 4; n++) {
            long total = (long) contentLength + n;
            if (total < 1L << (4 + 8 * (n - 1))) {
                byte[] out = new byte[n];
                out[0] = (byte) (((n - 1) << 6) | (total & 0xf));
                for (int i = 1; i < n; i++) out[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                return out;
            }
        }
        throw new IllegalArgumentException("AML package of " + contentLength + " bytes is too long");
    }

    private static byte[] withPkgLength(byte[] content) {
        return concat(pkgLength(content.length), content);
    }

    /** {@code ResourceTemplate () { descriptors }}: a buffer of the descriptors and an end tag (checksum 0 = not checked). */
    public static byte[] resourceTemplate(byte[]... descriptors) {
        return buffer(concat(concat(descriptors), new byte[] {RES_END, 0}));
    }

    /** {@code IO (Decode16, min, max, alignment, length)}: a 16-bit decoded I/O port range. */
    public static byte[] io(int min, int max, int alignment, int length) {
        check(min, 0xffff, "IO minimum");
        check(max, 0xffff, "IO maximum");
        check(alignment, 0xff, "IO alignment");
        check(length, 0xff, "IO length");
        return new byte[] {RES_IO, 1, (byte) min, (byte) (min >> 8), (byte) max, (byte) (max >> 8), (byte) alignment, (byte) length};
    }

    /** {@code IRQNoFlags () { irqs }}: ISA IRQs 0-15, edge-triggered, active high. */
    public static byte[] irqNoFlags(int... irqs) {
        int mask = 0;
        for (int irq : irqs) {
            check(irq, 15, "IRQNoFlags IRQ");
            mask |= 1 << irq;
        }
        return new byte[] {RES_IRQ_NO_FLAGS, (byte) mask, (byte) (mask >> 8)};
    }

    /** {@code Memory32Fixed (ReadWrite|ReadOnly, base, length)}. */
    public static byte[] memory32Fixed(boolean readWrite, long base, long length) {
        check(base, 0xffff_ffffL, "Memory32Fixed base");
        check(length, 0xffff_ffffL, "Memory32Fixed length");
        byte[] out = new byte[12];
        out[0] = (byte) RES_MEMORY32_FIXED;
        out[1] = 9;
        out[3] = (byte) (readWrite ? 1 : 0);
        putLe(out, 4, base, 4);
        putLe(out, 8, length, 4);
        return out;
    }

    /**
     * {@code Interrupt (ResourceConsumer|ResourceProducer, Edge|Level, ActiveHigh|ActiveLow,
     * Exclusive|Shared) { gsis }}: the extended interrupt descriptor, without a resource source.
     */
    public static byte[] extendedInterrupt(boolean consumer, boolean edge, boolean activeLow, boolean shared, long... gsis) {
        if (gsis.length < 1 || gsis.length > 255) throw new IllegalArgumentException("Interrupt descriptor with " + gsis.length + " interrupts");
        byte[] out = new byte[5 + 4 * gsis.length];
        out[0] = (byte) RES_EXTENDED_INTERRUPT;
        putLe(out, 1, 2 + 4L * gsis.length, 2);
        out[3] = (byte) ((consumer ? 1 : 0) | (edge ? 2 : 0) | (activeLow ? 4 : 0) | (shared ? 8 : 0));
        out[4] = (byte) gsis.length;
        for (int i = 0; i < gsis.length; i++) {
            check(gsis[i], 0xffff_ffffL, "Interrupt number");
            putLe(out, 5 + 4 * i, gsis[i], 4);
        }
        return out;
    }

    private static void check(long v, long max, String what) {
        if (v < 0 || v > max) throw new IllegalArgumentException(String.format("%s 0x%x is out of range 0..0x%x", what, v, max));
    }

    private static byte[] le(int prefix, long v, int n) {
        byte[] out = new byte[n + 1];
        out[0] = (byte) prefix;
        putLe(out, 1, v, n);
        return out;
    }

    static void putLe(byte[] b, int off, long v, int n) {
        for (int i = 0; i < n; i++) b[off + i] = (byte) (v >>> (8 * i));
    }
}
