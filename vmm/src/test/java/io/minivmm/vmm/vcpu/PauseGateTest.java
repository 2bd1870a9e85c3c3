package io.minivmm.vmm.vcpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The gate without KVM: threads stand in for vCPUs, looping through checkpoints. */
class PauseGateTest {
    private static Thread vcpu(PauseGate g, int id, AtomicBoolean stop, AtomicLong counter) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                g.checkpoint(id, stop::get);
                counter.incrementAndGet();
                Thread.onSpinWait();
            }
            g.ended(id);
        });
        t.start();
        return t;
    }

    @Test
    void pauseParksEveryThreadAndResumeLetsThemRun() throws Exception {
        PauseGate g = new PauseGate(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong c0 = new AtomicLong(), c1 = new AtomicLong();
        Thread t0 = vcpu(g, 0, stop, c0), t1 = vcpu(g, 1, stop, c1);
        g.pause();
        assertTrue(g.awaitParked(Duration.ofSeconds(5)));
        long a = c0.get(), b = c1.get();
        Thread.sleep(50);
        assertTrue(a == c0.get() && b == c1.get(), "parked threads made progress");
        g.release(1); // one runs, the other stays parked
        Thread.sleep(50);
        assertTrue(c1.get() > b);
        assertTrue(a == c0.get());
        g.recall(1);
        assertTrue(g.awaitParked(Duration.ofSeconds(5)));
        g.resume();
        Thread.sleep(50);
        assertTrue(c0.get() > a);
        stop.set(true);
        t0.join(2000);
        t1.join(2000);
        assertFalse(t0.isAlive() || t1.isAlive());
    }

    @Test
    void endedThreadsCountAsParkedAndStopWinsOverPause() throws Exception {
        PauseGate g = new PauseGate(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong c = new AtomicLong();
        g.ended(1); // vCPU 1 never ran
        Thread t0 = vcpu(g, 0, stop, c);
        g.pause();
        assertTrue(g.awaitParked(Duration.ofSeconds(5)));
        stop.set(true); // a stop while paused ends the parked thread (bounded wait inside)
        t0.join(2000);
        assertFalse(t0.isAlive());
    }

    @Test
    void awaitParkedTimesOutWhenAThreadNeverReachesACheckpoint() throws Exception {
        PauseGate g = new PauseGate(1);
        g.pause();
        assertFalse(g.awaitParked(Duration.ofMillis(50)));
    }
}
