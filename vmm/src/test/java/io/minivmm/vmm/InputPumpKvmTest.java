package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 9 item 9: a serial input stream that never returns does not leak a thread per run. */
@RequiresKvm
class InputPumpKvmTest {
    private static long pumps() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("serial-input") && t.isAlive()).count();
    }

    @Test
    void inputPumpsEndWithTheirRun() throws Exception {
        byte[] exit0 = {(byte) 0xb0, 0x00, (byte) 0xe6, (byte) 0xf4};
        long before = pumps();
        for (int i = 0; i < 40; i++) {
            PipedInputStream never = new PipedInputStream(new PipedOutputStream()); // nobody ever writes or closes it
            RunResult r = Vm.builder().image("t", exit0).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20)
                    .serialInput(never).timeout(Duration.ofSeconds(30)).build().run();
            assertEquals(Outcome.GUEST_EXIT, r.outcome());
        }
        assertTrue(pumps() <= before, "serial-input threads left behind: " + (pumps() - before));
    }

    @Test
    void polledInputStillReachesTheGuest() throws Exception {
        // in al,0x3fd until data ready; in al,0x3f8; out 0xf4,al: exits with the byte received.
        byte[] echo = {(byte) 0xba, (byte) 0xfd, 0x03, (byte) 0xec, (byte) 0xa8, 0x01, (byte) 0x74, (byte) 0xfb,
            (byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xec, (byte) 0xe6, (byte) 0xf4};
        PipedOutputStream feed = new PipedOutputStream();
        InputStream in = new PipedInputStream(feed);
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(200);
                feed.write(42);
                feed.flush();
            } catch (Exception ignored) {
                // the test fails on the status below
            }
        });
        later.start();
        RunResult r = Vm.builder().image("t", echo).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20)
                .serialInput(in).timeout(Duration.ofSeconds(30)).build().run();
        later.join();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message());
        assertEquals(42, r.exitStatus());
    }
}
