package io.minivmm.vmm.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;

/**
 * A terminal's bytes through an {@link EscapeFilter}, with the escape keys handled as they are
 * typed, before any flow control: a pump thread of its own (started by the first read) reads the
 * terminal all the time and filters at once, so {@code Ctrl-A x} works even when the guest never
 * reads COM1 and the UART's FIFO is full. The filtered bytes wait in a buffer of
 * {@link #BUFFER} bytes for the guest; what a guest leaves unread beyond that is dropped, as a
 * UART overrun drops it. After {@code Ctrl-A x} the stream delivers what it holds, then reports
 * end of input. A reader interrupted while waiting gets an {@link InterruptedIOException}.
 */
public final class EscapeInputStream extends InputStream {
    static final int BUFFER = 4096;
    private final InputStream in;
    private final EscapeFilter filter;
    private final byte[] ring = new byte[BUFFER];
    private int head;
    private int count;
    private boolean eof;
    private IOException error;
    private long dropped;
    private Thread pump;

    public EscapeInputStream(InputStream in, EscapeFilter.Commands commands) {
        this.in = Objects.requireNonNull(in);
        this.filter = new EscapeFilter(commands);
    }

    private synchronized void startPump() {
        if (pump != null) return;
        pump = new Thread(this::pump, "console-input");
        pump.setDaemon(true); // blocked in the terminal's read(); must not keep the JVM alive
        pump.start();
    }

    private void pump() {
        byte[] raw = new byte[256];
        byte[] cooked = new byte[raw.length + 1];
        try {
            while (!filter.quitRequested()) {
                int n = in.read(raw, 0, raw.length);
                if (n < 0) break;
                int k = filter.filter(raw, 0, n, cooked, 0);
                synchronized (this) {
                    for (int i = 0; i < k; i++) {
                        if (count == ring.length) {
                            dropped += k - i;
                            break;
                        }
                        ring[(head + count++) % ring.length] = cooked[i];
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                error = e;
            }
        } finally {
            synchronized (this) {
                eof = true;
                notifyAll();
            }
        }
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
        startPump();
        synchronized (this) {
            while (count == 0) {
                // eof, not filter.quitRequested(): the pump sees Ctrl-A x while it filters, before
                // it has put the bytes typed ahead of it into the ring; it sets eof after them.
                if (eof) {
                    if (error != null) throw error;
                    return -1;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("console input: interrupted");
                }
            }
            int k = Math.min(len, count);
            for (int i = 0; i < k; i++) b[off + i] = ring[(head + i) % ring.length];
            head = (head + k) % ring.length;
            count -= k;
            return k;
        }
    }

    @Override
    public synchronized int available() {
        // The serial pump reads only what is available: start the terminal pump here too, so
        // that typed bytes (and Ctrl-A x) are seen before the first read.
        startPump();
        return count;
    }

    /** Typed bytes dropped because the guest had not read the {@link #BUFFER} before them. */
    public synchronized long dropped() { return dropped; }

    @Override
    public void close() throws IOException { in.close(); }
}
