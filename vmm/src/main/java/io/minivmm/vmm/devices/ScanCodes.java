package io.minivmm.vmm.devices;

/**
 * Characters typed on a host terminal as the keys of a US PC keyboard: scan code set 1 make
 * codes (what an i8042 delivers after its translation, and what the BIOS's int 16h reports in
 * AH), with the Shift or Ctrl key the character needs. Break codes are make codes | 0x80.
 */
public final class ScanCodes {
    private ScanCodes() {}

    /** Flags in {@link #of}'s result: the character needs Shift / Ctrl held. */
    public static final int SHIFT = 0x100, CTRL = 0x200;
    /** Set 1 make codes of the modifier keys. */
    public static final int LEFT_SHIFT = 0x2a, LEFT_CTRL = 0x1d;

    private static final String ROW_NUM = "1234567890-=";
    private static final String ROW_NUM_SHIFT = "!@#$%^&*()_+";
    private static final String ROW_Q = "qwertyuiop[]";
    private static final String ROW_Q_SHIFT = "QWERTYUIOP{}";
    private static final String ROW_A = "asdfghjkl;'`";
    private static final String ROW_A_SHIFT = "ASDFGHJKL:\"~";
    private static final String ROW_Z = "\\zxcvbnm,./";
    private static final String ROW_Z_SHIFT = "|ZXCVBNM<>?";

    /**
     * The make code of the key that types {@code ch} (0..255), or'ed with {@link #SHIFT} or
     * {@link #CTRL} when it needs one; -1 when no key types it. A line feed is the Enter key (a
     * pipe's lines end in LF; a PC's Enter types CR), DEL is Backspace.
     */
    public static int of(int ch) {
        switch (ch) {
            case 0x1b: return 0x01;
            case 0x08: case 0x7f: return 0x0e;
            case '\t': return 0x0f;
            case '\r': case '\n': return 0x1c;
            case ' ': return 0x39;
            default: break;
        }
        int i;
        if ((i = ROW_NUM.indexOf(ch)) >= 0) return 0x02 + i;
        if ((i = ROW_NUM_SHIFT.indexOf(ch)) >= 0) return (0x02 + i) | SHIFT;
        if ((i = ROW_Q.indexOf(ch)) >= 0) return 0x10 + i;
        if ((i = ROW_Q_SHIFT.indexOf(ch)) >= 0) return (0x10 + i) | SHIFT;
        if ((i = ROW_A.indexOf(ch)) >= 0) return 0x1e + i;
        if ((i = ROW_A_SHIFT.indexOf(ch)) >= 0) return (0x1e + i) | SHIFT;
        if ((i = ROW_Z.indexOf(ch)) >= 0) return 0x2b + i;
        if ((i = ROW_Z_SHIFT.indexOf(ch)) >= 0) return (0x2b + i) | SHIFT;
        if (ch >= 1 && ch <= 26) return (ROW_Q.indexOf('a' + ch - 1) >= 0 ? 0x10 + ROW_Q.indexOf('a' + ch - 1)
                : ROW_A.indexOf('a' + ch - 1) >= 0 ? 0x1e + ROW_A.indexOf('a' + ch - 1)
                : 0x2b + ROW_Z.indexOf('a' + ch - 1)) | CTRL;
        return -1;
    }

    /**
     * The ASCII code a BIOS reports with the key for {@code ch}: CR for a line feed, BS for DEL,
     * the character itself otherwise.
     */
    public static int biosAscii(int ch) {
        if (ch == '\n') return '\r';
        if (ch == 0x7f) return 0x08;
        return ch & 0xff;
    }
}
