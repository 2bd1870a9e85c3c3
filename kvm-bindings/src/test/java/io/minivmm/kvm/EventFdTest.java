package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link EventFd} and its {@link EventFd.Poller}, no KVM needed. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class EventFdTest {
    @Test
    void writesAddUpAndAReadResets() {
        try (EventFd e = EventFd.create()) {
            assertEquals(0, e.tryRead());
            e.write(3);
            e.write(4);
            e.signal();
            assertEquals(8, e.tryRead());
            assertEquals(0, e.drain());
            assertThrows(IllegalArgumentException.class, () -> e.write(0));
        }
    }

    @Test
    void blockingReadWakesOnAWriteFromAnotherThread() throws Exception {
        try (EventFd e = EventFd.create()) {
            AtomicLong got = new AtomicLong();
            CountDownLatch started = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                started.countDown();
                got.set(e.read());
            });
            t.start();
            started.await();
            Thread.sleep(50);
            assertTrue(t.isAlive(), "read blocks while the counter is 0");
            e.write(5);
            t.join(5000);
            assertFalse(t.isAlive());
            assertEquals(5, got.get());
        }
    }

    @Test
    void aStopFdEndsADeviceThreadBlockedInPoll() throws Exception {
        try (EventFd kick = EventFd.create(); EventFd stop = EventFd.create()) {
            AtomicLong kicks = new AtomicLong();
            Thread device = new Thread(() -> {
                try (EventFd.Poller p = new EventFd.Poller(kick, stop)) {
                    while (true) {
                        int ready = p.poll(-1);
                        if ((ready & 2) != 0) return;
                        if ((ready & 1) != 0) kicks.addAndGet(kick.drain());
                    }
                }
            });
            device.start();
            kick.signal();
            kick.signal();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (kicks.get() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(2, kicks.get());
            stop.signal();
            device.join(5000);
            assertFalse(device.isAlive(), "the stop eventfd woke and ended the device thread");
        }
    }

    @Test
    void pollTimesOutWithZeroAndReportsEachReadyFd() {
        try (EventFd a = EventFd.create(); EventFd b = EventFd.create(); EventFd c = EventFd.create();
             EventFd.Poller p = new EventFd.Poller(a, b, c)) {
            assertEquals(0, p.poll(0));
            long t0 = System.nanoTime();
            assertEquals(0, p.poll(30));
            assertTrue(System.nanoTime() - t0 >= 25_000_000L, "waited the timeout");
            c.signal();
            a.signal();
            assertEquals(0b101, p.poll(0));
            assertEquals(0b101, p.poll(-1), "poll does not consume");
            a.drain();
            assertEquals(0b100, p.poll(0));
        }
        assertThrows(IllegalArgumentException.class, EventFd.Poller::new);
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsAnError() {
        EventFd e = EventFd.create();
        int fd = e.fd();
        assertTrue(fd >= 0);
        e.close();
        e.close();
        assertThrows(IllegalStateException.class, e::fd);
        assertThrows(IllegalStateException.class, e::signal);
    }
}
