package io.minivmm.vmm.devices;

/**
 * Finds Linux's panic line ({@code "Kernel panic - not syncing: " REASON "\n"}, kernel/panic.c)
 * in the serial output, a byte at a time, without a regular expression: the line is watched in
 * every run, and a search per byte (or per buffer) over a window of output cost more than the
 * rest of the console path (100 MiB through virtio-console: 6.3 s with a regex, 0.6 s without; BENCHMARKS.md).
 *
 * <p>What it finds is what {@code Kernel panic - not syncing: ([^\r\n]*)\r?\n} finds in the
 * stream: the first occurrence of the prefix followed by a reason without CR or LF, an optional
 * CR and an LF. The reason is kept up to {@link StreamMatcher#WINDOW} bytes (a longer line is not
 * a panic line here, as the regular expression's window would not hold it either). Thread-safe.
 */
public final class PanicLine {
    static final String PREFIX = "Kernel panic - not syncing: ";
    private static final int[] FAIL = failure(PREFIX);

    private int matched;              // chars of PREFIX matched so far
    private boolean inReason, cr;     // after the prefix: collecting the reason; a CR was seen
    private final StringBuilder reason = new StringBuilder();
    private String line;              // the whole line once found

    private static int[] failure(String p) {
        int[] f = new int[p.length() + 1];
        f[0] = -1;
        for (int i = 1, k = -1; i <= p.length(); i++) {
            while (k >= 0 && p.charAt(k) != p.charAt(i - 1)) k = f[k];
            f[i] = ++k;
        }
        return f;
    }

    /** Feeds one byte; returns whether the line has been found (now or before). */
    public synchronized boolean feed(int b) {
        if (line == null) step((char) (b & 0xff));
        return line != null;
    }

    /** Feeds {@code len} bytes; returns whether the line has been found (now or before). */
    public synchronized boolean feed(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        for (int i = 0; i < len && line == null; i++) step((char) (buf[off + i] & 0xff));
        return line != null;
    }

    private void step(char c) {
        if (inReason) {
            if (c == '\n') {
                line = PREFIX + reason + (cr ? "\r\n" : "\n");
                return;
            }
            if (c == '\r' && !cr) {
                cr = true;
                return;
            }
            if (c != '\r' && !cr && reason.length() < StreamMatcher.WINDOW) {
                reason.append(c);
                return;
            }
            // Not this occurrence: a second CR, a CR not followed by LF, or a reason longer than
            // the window. No other occurrence can have begun inside it and still match (it would
            // meet the same CR), so the search goes on from c (a CR cannot begin the prefix).
            inReason = false;
            cr = false;
            reason.setLength(0);
            matched = 0;
            if (c == '\r') return;
        }
        while (matched >= 0 && PREFIX.charAt(matched) != c) matched = FAIL[matched];
        matched++;
        if (matched == PREFIX.length()) {
            inReason = true;
            matched = 0;
        }
    }

    public synchronized boolean found() {
        return line != null;
    }

    /** The panic line (prefix, reason, line end), or null. */
    public synchronized String text() {
        return line;
    }
}
