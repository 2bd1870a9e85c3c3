package io.minivmm.vmm;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where COM1's transmitter writes: the user's stream (buffered, flushed at least every
 * {@link #FLUSH_INTERVAL_MS} ms while output is pending and always at the end), a bounded ring
 * of the latest bytes for the result and the crash report, and the time of the first byte.
 * Memory is bounded however much the guest writes: the ring is fixed and the user's stream
 * applies back-pressure (a blocked stdout blocks the vCPU, it does not queue).
 */
final class SerialSink extends OutputStream {
    static final int FLUSH_INTERVAL_MS = 20;

    private final OutputStream out;
    private final byte[] buf = new byte[8192];
    private int buffered;
    private final byte[] ring;
    private long total;
    private volatile long firstByteNanos;
    private final long startNanos;
    private volatile ByteListener listener;
    private volatile ByteListener tap;
    private boolean outputBroken;

    /** Sees every byte (the --expect/--fail-on matchers). */
    interface ByteListener {
        void onByte(int b);
    }

    SerialSink(OutputStream out, int ringSize, long startNanos) {
        this.out = out;
        this.ring = new byte[Math.max(ringSize, 1)];
        this.startNanos = startNanos;
    }

    void setListener(ByteListener l) { this.listener = l; }

    /** A second listener, independent of the matchers: a session's transcript, --snapshot-on. */
    void setTap(ByteListener l) { this.tap = l; }

    @Override
    public void write(int b) {
        synchronized (this) {
            if (total == 0) firstByteNanos = System.nanoTime();
            ring[(int) (total % ring.length)] = (byte) b;
            total++;
            if (out != null) {
                buf[buffered++] = (byte) b;
                if (buffered == buf.length) drain();
            }
        }
        ByteListener l = listener;
        if (l != null) l.onByte(b & 0xff);
        ByteListener t = tap;
        if (t != null) t.onByte(b & 0xff);
    }

    private void drain() {
        if (buffered == 0) return;
        try {
            if (!outputBroken) out.write(buf, 0, buffered);
        } catch (IOException e) {
            outputBroken = true; // e.g. stdout closed by a pipe reader: the guest keeps running
        }
        buffered = 0;
    }

    @Override
    public synchronized void flush() {
        drain();
        try {
            if (!outputBroken && out != null) out.flush();
        } catch (IOException e) {
            outputBroken = true;
        }
    }

    /** Whether bytes are waiting to be flushed. */
    synchronized boolean pending() { return buffered > 0; }

    /** Total bytes the guest wrote. */
    synchronized long total() { return total; }

    /** The latest bytes, oldest first (at most the ring's size). */
    synchronized byte[] tail(int max) {
        int n = (int) Math.min(Math.min(total, ring.length), max);
        byte[] r = new byte[n];
        for (int i = 0; i < n; i++) r[i] = ring[(int) ((total - n + i) % ring.length)];
        return r;
    }

    /** ns from start to the first byte, or -1. */
    long firstByteAfterNanos() {
        long f = firstByteNanos;
        return f == 0 ? -1 : f - startNanos;
    }
}
