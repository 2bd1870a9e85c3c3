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
}
