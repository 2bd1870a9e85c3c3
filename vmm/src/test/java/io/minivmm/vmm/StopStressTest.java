package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stopping a VM from another thread while its vCPUs run never hangs, whatever the timing. */
@RequiresKvm
class StopStressTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stopAtRandomMomentsNeverHangs() throws Exception {
        byte[] spin = {(byte) 0xeb, (byte) 0xfe}; // jmp $ (the AP waits for SIPI in the in-kernel LAPIC)
        byte[] ioLoop = {(byte) 0xe6, (byte) 0x80, (byte) 0xeb, (byte) 0xfc}; // out 0x80,al; jmp back: exits constantly
        Random rnd = new Random(42);
        for (int i = 0; i < 60; i++) {
            byte[] code = i % 2 == 0 ? spin : ioLoop;
            Vm vm = Vm.builder().image("loop", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20).cpus(1 + i % 2)
                    .timeout(Duration.ofSeconds(30)).build();
            int delayMicros = rnd.nextInt(20_000);
            Thread stopper = new Thread(() -> {
                long until = System.nanoTime() + delayMicros * 1000L;
                while (System.nanoTime() < until) Thread.onSpinWait();
                vm.stop();
            });
            stopper.start();
            long t0 = System.nanoTime();
            RunResult r = vm.run();
            stopper.join();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // A stop before the guest even started still ends the run; never the 30 s timeout.
            assertEquals(Outcome.STOPPED, r.outcome(), "iteration " + i + ": " + r.message());
            assertTrue(ms < 5000, "iteration " + i + " took " + ms + " ms");
        }
    }
}
