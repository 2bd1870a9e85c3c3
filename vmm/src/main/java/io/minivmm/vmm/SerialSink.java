package io.minivmm.vmm;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Where COM1's transmitter writes: the user's stream, a bounded ring of the latest bytes for the
 * result and the crash report, and the time of the first byte.
 *
 * <p>The user's stream is written by a thread of the sink's own ("serial-out"), never by the
 * vCPU: bytes are collected into 8 KiB chunks and handed over through a bounded queue. Memory
 * stays bounded however much the guest writes (the ring is fixed, the queue holds at most
 * {@link #QUEUE_CHUNKS} chunks), and a slow reader still slows the guest down: when the queue is
 * full the vCPU waits. That wait ends as soon as the run is stopping (a timeout, {@code stop()},
 * a signal): a blocked stdout cannot hold a run past its end. {@link #close()} delivers what is
 * left while the stream makes progress and abandons it once the stream has not accepted a byte
 * for {@link #STALL_LIMIT_MS} ms, saying so once on stderr.
 *
 * <p>An exception from the user's stream (an IOException such as a closed pipe, or anything the
 * caller's stream throws) ends delivery quietly; the guest keeps running and the ring keeps the
 * output.
 */
final class SerialSink extends OutputStream {
    /**
     * How long the flusher lets a burst of output collect after its first byte before handing it
     * to the writer: an 80-column line written byte by byte through the UART takes ~1 ms here.
     */
    static final int FLUSH_INTERVAL_MS = 10;
    static final int CHUNK = 8192;
    static final int QUEUE_CHUNKS = 32;
    /** How long {@link #close()} waits for a stream that accepts nothing before dropping the rest. */
    static final long STALL_LIMIT_MS = 1000;
    private static final byte[] FLUSH = new byte[0];

    private final OutputStream out;
    private final BooleanSupplier stopping;
    private byte[] buf = new byte[CHUNK];
    private int buffered;
    /**
     * The latest bytes, at {@code total % ring.length}. It starts small and grows (doubling) up to
     * {@link #ringCap} before it first wraps, so a guest that prints little costs little (the
     * library's default cap is 1 MiB per VM): while it is below the cap, nothing has wrapped and
     * its content is the prefix [0, total), which a larger copy keeps at the same indices.
     */
    private byte[] ring;
    private final int ringCap;
    private long total;
    private volatile long firstByteNanos;
    private final long startNanos;
    private volatile ByteListener listener;

    private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final Thread writer;
    /** Bytes handed to the queue (under this) and bytes the stream accepted (by the writer). */
    private long queuedBytes;
    private volatile long deliveredBytes;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean outputBroken;
    private volatile boolean abandoned;
    private long dropped;
    private boolean closed;
    private volatile ByteListener tap;

    /** Sees every byte (the --expect/--fail-on matchers). */
    interface ByteListener {
        void onByte(int b);

        /** {@code len} bytes at once (virtio-console's buffers); by default one {@link #onByte} each. */
        default void onBytes(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) onByte(b[off + i] & 0xff);
        }
    }

    /**
     * @param out the user's stream, or null to keep only the ring
     * @param stopping true once the run is ending: a full queue then drops output instead of waiting
     */
    SerialSink(OutputStream out, int ringSize, long startNanos, BooleanSupplier stopping) {
        this.out = out;
        this.ringCap = Math.max(ringSize, 1);
        this.ring = new byte[Math.min(ringCap, RING_START)];
        this.startNanos = startNanos;
        this.stopping = stopping;
        if (out != null) {
            writer = new Thread(new Runnable() { // not this::deliver: no lambda to link at start (docs/STARTUP.md)
                @Override
                public void run() {
                    deliver();
                }
            }, "serial-out");
            writer.setDaemon(true); // may stay blocked in the user's write(); must not keep the JVM alive
            writer.start();
        } else {
            writer = null;
        }
    }

    SerialSink(OutputStream out, int ringSize, long startNanos) { this(out, ringSize, startNanos, () -> false); }

    /** The ring's first size (it grows from there to the capture limit). */
    static final int RING_START = 4096;

    /** Grows the ring towards {@code upTo} bytes, at most to the cap (under this). */
    private void growRing(long upTo) {
        if (ring.length >= ringCap) return;
        int n = (int) Math.min(ringCap, Math.max(upTo, 2L * ring.length));
        ring = java.util.Arrays.copyOf(ring, n);
    }

    void setListener(ByteListener l) { this.listener = l; }

    /** A second listener, independent of the matchers: a session's transcript, --snapshot-on. */
    void setTap(ByteListener l) { this.tap = l; }

    @Override
    public void write(int b) {
        synchronized (this) {
            if (total == 0) firstByteNanos = System.nanoTime();
            if (total >= ring.length) growRing(total + 1);
            ring[(int) (total % ring.length)] = (byte) b;
            total++;
            if (writer != null) {
                if (abandoned || outputBroken) {
                    dropped++;
                } else {
                    buf[buffered++] = (byte) b;
                    if (buffered == 1) notifyAll(); // the flusher waits for collected bytes (awaitPending)
                    if (buffered == buf.length) handOff(true);
                }
            }
        }
        ByteListener l = listener;
        if (l != null) l.onByte(b & 0xff);
        ByteListener t = tap;
        if (t != null) t.onByte(b & 0xff);
    }

    /** Bulk form (virtio-console hands over whole buffers): the same effect as writing each byte. */
    @Override
    public void write(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return;
        synchronized (this) {
            if (total == 0) firstByteNanos = System.nanoTime();
            if (total + len > ring.length) growRing(total + len);
            int keep = Math.min(len, ring.length); // only the last ring.length bytes survive in the ring
            for (int i = len - keep; i < len; ) {
                int at = (int) ((total + i) % ring.length);
                int n = Math.min(len - i, ring.length - at);
                System.arraycopy(b, off + i, ring, at, n);
                i += n;
            }
            total += len;
            if (writer != null) {
                if (abandoned || outputBroken) {
                    dropped += len;
                } else {
                    boolean wasEmpty = buffered == 0;
                    int i = 0;
                    while (i < len) {
                        int n = Math.min(len - i, buf.length - buffered);
                        System.arraycopy(b, off + i, buf, buffered, n);
                        buffered += n;
                        i += n;
                        if (buffered == buf.length) {
                            handOff(true);
                            if (abandoned || outputBroken || stopping.getAsBoolean()) {
                                dropped += len - i; // stopping with a full queue: the rest is dropped
                                break;
                            }
                        }
                    }
                    if (wasEmpty && buffered > 0) notifyAll(); // as in write(int)
                }
            }
        }
        ByteListener l = listener;
        if (l != null) l.onBytes(b, off, len);
        ByteListener t = tap;
        if (t != null) t.onBytes(b, off, len);
    }

    /**
     * Queues the collected chunk. {@code wait}: when the queue is full, wait for the writer
     * (back-pressure), but only until the run is stopping; otherwise leave the bytes collected.
     */
    private void handOff(boolean wait) {
        if (buffered == 0) return;
        byte[] chunk = java.util.Arrays.copyOf(buf, buffered);
        try {
            while (!queue.offer(chunk, wait ? 50 : 0, TimeUnit.MILLISECONDS)) {
                if (!wait) return;
                if (abandoned || outputBroken || stopping.getAsBoolean()) {
                    dropped += buffered;
                    buffered = 0;
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dropped += buffered;
            buffered = 0;
            return;
        }
        queuedBytes += buffered;
        buffered = 0;
    }

    /** The writer thread: chunks to the user's stream, flushed whenever the queue runs dry. */
    private void deliver() {
        try {
            while (true) {
                byte[] chunk = queue.take();
                if (chunk.length > 0 && !outputBroken && !abandoned) out.write(chunk);
                deliveredBytes += chunk.length;
                lastProgressNanos = System.nanoTime();
                if (queue.isEmpty() && !outputBroken && !abandoned) out.flush();
                if (chunk == FLUSH) return;
            }
        } catch (InterruptedException e) {
            // abandoned by close()
        } catch (IOException | RuntimeException e) {
            // stdout closed by its reader, or the caller's stream failed: the guest keeps running
            outputBroken = true;
            Log.debug("serial output stream failed, output is no longer delivered: {}", String.valueOf(e));
        }
    }

    /** Hands what is collected to the writer without waiting (the flusher calls this {@link #FLUSH_INTERVAL_MS} ms after bytes arrive). */
    @Override
    public synchronized void flush() {
        if (writer != null && !abandoned && !outputBroken) handOff(false);
    }

    /**
     * The end of the run: delivers what is left while the stream accepts bytes; once it has not
     * for {@link #STALL_LIMIT_MS}, drops the rest and says so on stderr. Never blocks longer than
     * that after the stream stops moving. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed || writer == null) {
                closed = true;
                return;
            }
            closed = true;
        }
        long stallNanos = TimeUnit.MILLISECONDS.toNanos(STALL_LIMIT_MS);
        lastProgressNanos = Math.max(lastProgressNanos, System.nanoTime() - stallNanos / 2);
        boolean done = false;
        while (!outputBroken && !abandoned && writer.isAlive()) {
            synchronized (this) {
                if (buffered > 0) handOff(false);
                if (buffered == 0 && !done) done = queue.offer(FLUSH);
            }
            if (done) {
                try {
                    writer.join(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } else {
                sleep20();
            }
            if (writer.isAlive() && System.nanoTime() - lastProgressNanos > stallNanos) break;
        }
        if (writer.isAlive()) {
            long left;
            synchronized (this) {
                abandoned = true;
                left = queuedBytes - deliveredBytes + buffered + dropped;
                queue.clear();
                buffered = 0;
            }
            writer.interrupt(); // wakes it if it is waiting for a chunk; a blocked write() stays blocked
            if (left > 0) {
                Log.warn("serial output is not being read: {} bytes dropped after {} ms without progress",
                        left, STALL_LIMIT_MS);
            }
        } else if (dropped > 0 && !outputBroken) {
            Log.warn("serial output is not being read: {} bytes dropped at the end of the run", dropped);
        }
    }

    private static void sleep20() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether bytes are waiting to be handed to the writer. */
    synchronized boolean pending() { return buffered > 0; }

    /**
     * Waits until bytes are waiting to be handed to the writer (the flusher's idle wait: a run
     * whose guest prints nothing costs no wake-ups). The writes that collect a first byte notify.
     */
    synchronized void awaitPending() throws InterruptedException {
        while (buffered == 0) wait();
    }

    /** Total bytes the guest wrote. */
    synchronized long total() { return total; }

    /** Bytes that never reached the user's stream because it did not accept them before the run ended. */
    synchronized long dropped() { return dropped; }

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
