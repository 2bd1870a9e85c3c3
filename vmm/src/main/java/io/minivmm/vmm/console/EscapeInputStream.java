package io.minivmm.vmm.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A terminal's bytes through an {@link EscapeFilter}: reads block in the underlying stream (no
 * polling); after {@code Ctrl-A x} the stream reports end of input.
 */
public final class EscapeInputStream extends InputStream {
    private final InputStream in;
    private final EscapeFilter filter;
    private final byte[] raw = new byte[256];
    private final byte[] cooked = new byte[raw.length + 1];
    private int pos;
    private int end;

    public EscapeInputStream(InputStream in, EscapeFilter.Commands commands) {
        this.in = Objects.requireNonNull(in);
        this.filter = new EscapeFilter(commands);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        while (pos == end) {
            if (filter.quitRequested()) return -1;
            int n = in.read(raw, 0, raw.length);
            if (n < 0) return -1;
            pos = 0;
            end = filter.filter(raw, 0, n, cooked, 0);
        }
        int k = Math.min(len, end - pos);
        System.arraycopy(cooked, pos, b, off, k);
        pos += k;
        return k;
    }

    @Override
    public int available() throws IOException {
        // The serial pump reads only what is available, so report the terminal's bytes too.
        return end > pos ? end - pos : filter.quitRequested() ? 0 : in.available();
    }

    @Override
    public void close() throws IOException { in.close(); }
}
