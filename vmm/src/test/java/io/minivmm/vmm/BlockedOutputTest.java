package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The caller's serial output stream cannot hold a run: one that blocks forever does not defeat
 * the timeout or {@code stop()}, one that throws does not end the run or print a stack trace.
 */
@RequiresKvm
public class BlockedOutputTest {
    /** Never returns from write(): a pipe nobody reads. */
    public static final class BlockingStream extends OutputStream {
        final CountDownLatch never = new CountDownLatch(1);

        @Override
        public void write(int b) { block(); }

        @Override
        public void write(byte[] b, int off, int len) { block(); }

        private void block() {
            while (true) {
                try {
                    never.await();
                    return;
                } catch (InterruptedException e) {
                    // a blocked write(2) does not care about interrupts either
                }
            }
        }
    }

    /** flood.16.S with {@code blocks} 4 KiB blocks. */
    static byte[] flood(int blocks) throws Exception {
        try (InputStream in = Vm.class.getResourceAsStream("/guests/flood.bin")) {
            assertNotNull(in);
            byte[] image = in.readAllBytes();
            ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(504, blocks);
            return image;
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTimeoutWinsOverAStdoutThatNeverAcceptsAByte() throws Exception {
        BlockingStream out = new BlockingStream();
        long t0 = System.nanoTime();
        RunResult r = Vm.builder().image("flood.bin", flood(25600)).memory(2 << 20).serialOutput(out)
                .timeout(Duration.ofSeconds(2)).build().run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Outcome.TIMEOUT, r.outcome(), r.message());
        assertTrue(ms < 2000 + 10_000, "run() returned " + ms + " ms after start (timeout 2 s; without the fix it never returns)");
        assertTrue(r.serialBytes() > 0, "the guest wrote: " + r.serialBytes());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stopWinsOverAStdoutThatNeverAcceptsAByte() throws Exception {
        BlockingStream out = new BlockingStream();
        Vm vm = Vm.builder().image("flood.bin", flood(25600)).memory(2 << 20).serialOutput(out).build();
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException ignored) {
                return;
            }
            vm.stop();
        });
        stopper.start();
        long t0 = System.nanoTime();
        RunResult r = vm.run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        stopper.join();
        assertEquals(Outcome.STOPPED, r.outcome(), r.message());
        assertTrue(ms < 1500 + 10_000, "run() returned " + ms + " ms after start (stop at 1.5 s; without the fix it never returns)");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aThrowingStreamEndsDeliveryNotTheRun() throws Exception {
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) { throw new IllegalStateException("caller's stream is broken"); }
        };
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream oldErr = System.err;
        RunResult r;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            r = Vm.builder().image("flood.bin", flood(8)).memory(2 << 20).serialOutput(out)
                    .timeout(Duration.ofSeconds(30)).build().run();
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message());
        assertEquals(0, r.exitStatus());
        assertEquals(8 * 4096, r.serialBytes(), "the guest wrote everything; the ring kept it");
        assertFalse(err.toString().contains("IllegalStateException"), "no stack trace: " + err);
    }
}
