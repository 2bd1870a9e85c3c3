package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SerialSink without KVM: the writing (vCPU) thread and close() are bounded whatever the stream does. */
class SerialSinkTest {
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aWriterBlockedOnAFullQueueIsReleasedByTheStop() throws Exception {
        AtomicBoolean stopping = new AtomicBoolean();
        SerialSink sink = new SerialSink(new BlockedOutputTest.BlockingStream(), 4096, System.nanoTime(), stopping::get);
        long more = (long) SerialSink.CHUNK * (SerialSink.QUEUE_CHUNKS + 4);
        Thread vcpu = new Thread(() -> {
            for (long i = 0; i < more; i++) sink.write('x');
        });
        vcpu.start();
        vcpu.join(2000);
        assertTrue(vcpu.isAlive(), "back-pressure: a full queue holds the writer while the run goes on");
        stopping.set(true);
        vcpu.join(1000);
        assertFalse(vcpu.isAlive(), "the stop releases the writer");
        long t0 = System.nanoTime();
        sink.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms <= SerialSink.STALL_LIMIT_MS + 500, "close() abandoned the output after " + ms + " ms");
        assertEquals(more, sink.total());
        assertTrue(sink.tail(10).length == 10, "the ring still has the latest bytes");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void everyByteIsDeliveredInOrderToALiveStream() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SerialSink sink = new SerialSink(out, 16, System.nanoTime(), () -> false);
        int n = SerialSink.CHUNK * SerialSink.QUEUE_CHUNKS * 3 + 17;
        for (int i = 0; i < n; i++) sink.write(i % 251);
        sink.close();
        byte[] got = out.toByteArray();
        assertEquals(n, got.length);
        for (int i = 0; i < n; i++) assertEquals((byte) (i % 251), got[i], "byte " + i);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void flushHandsPartialOutputOverWithoutWaiting() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SerialSink sink = new SerialSink(out, 16, System.nanoTime(), () -> false);
        for (byte b : "hello".getBytes()) sink.write(b);
        assertTrue(sink.pending());
        sink.flush();
        assertFalse(sink.pending());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (out.size() < 5 && System.nanoTime() < until) Thread.sleep(5);
        assertEquals("hello", out.toString());
        sink.close();
    }

    /**
     * The ring starts small and grows to the capture limit: what tail() returns must be what a
     * ring of the full size from the start would hold, whatever the mix of single-byte and bulk
     * writes, on either side of the growth steps and of the first wrap.
     */
    @Test
    void theGrowingRingKeepsTheSameTailAsAFullSizedOne() {
        java.util.Random r = new java.util.Random(14);
        for (int cap : new int[] {1, 7, SerialSink.RING_START - 1, SerialSink.RING_START, SerialSink.RING_START + 1, 3 * SerialSink.RING_START + 5, 1 << 16}) {
            SerialSink s = new SerialSink(null, cap, System.nanoTime());
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            long written = 0;
            while (written < 3L * cap + 20_000) {
                if (r.nextBoolean()) {
                    int b = r.nextInt(256);
                    s.write(b);
                    all.write(b);
                    written++;
                } else {
                    byte[] b = new byte[r.nextInt(r.nextInt(8) == 0 ? 3 * cap + 2 : 600) + 1];
                    r.nextBytes(b);
                    int off = b.length > 2 ? r.nextInt(3) : 0;
                    int len = b.length - off - (b.length - off > 0 ? r.nextInt(2) : 0);
                    s.write(b, off, len);
                    all.write(b, off, len);
                    written += len;
                }
                byte[] a = all.toByteArray();
                int n = (int) Math.min(cap, a.length);
                int max = r.nextInt(cap + 2);
                int want = Math.min(n, max);
                assertArrayEquals(java.util.Arrays.copyOfRange(a, a.length - want, a.length), s.tail(max), "cap " + cap + " after " + written);
            }
            assertEquals(written, s.total());
        }
    }

    /** The flusher's wait: blocked while nothing is collected, released by the first byte (single or bulk). */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void awaitPendingWaitsForTheFirstCollectedByte() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SerialSink s = new SerialSink(out, 64, System.nanoTime());
        for (int round = 0; round < 2; round++) {
            AtomicBoolean released = new AtomicBoolean();
            Thread t = new Thread(() -> {
                try {
                    s.awaitPending();
                    released.set(true);
                } catch (InterruptedException e) {
                    // the test failed
                }
            });
            t.start();
            Thread.sleep(200);
            assertFalse(released.get(), "nothing collected: still waiting");
            assertEquals(Thread.State.WAITING, t.getState());
            if (round == 0) s.write('x');
            else s.write(new byte[] {'y', 'z'}, 0, 2);
            t.join(5000);
            assertTrue(released.get(), "round " + round + ": the first byte released the wait");
            s.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (s.pending() && System.nanoTime() < deadline) Thread.sleep(5);
            assertFalse(s.pending());
        }
        s.close();
        assertEquals("xyz", out.toString());
    }
}
