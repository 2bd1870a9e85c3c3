package io.minivmm.vmm.console;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** Passes bytes through and counts them (the serial bytes the report shows). */
public final class CountingOutputStream extends OutputStream {
    private final OutputStream out;
    private volatile long count;

    public CountingOutputStream(OutputStream out) { this.out = Objects.requireNonNull(out); }

    @Override
    public void write(int b) throws IOException {
        count++;
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        count += len;
        out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException { out.flush(); }

    @Override
    public void close() throws IOException { out.close(); }

    /** Bytes handed to this stream so far. */
    public long count() { return count; }
}
