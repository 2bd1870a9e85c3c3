package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Pausing a running machine parks every vCPU (no guest progress) until it is resumed. */
@RequiresKvm
class PauseKvmTest {
    @Test
    void pauseStopsGuestProgressAndResumeContinuesIt() throws Exception {
        // mov dx,0x3f8; mov al,'x'; 1: out dx,al; jmp 1b — one serial byte per exit, for ever.
        byte[] code = {(byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xb0, 0x78, (byte) 0xee, (byte) 0xeb, (byte) 0xfd};
        Vm vm = Vm.builder().image("loop", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20).cpus(2)
                .serialCaptureLimit(16).timeout(Duration.ofSeconds(60)).build();
        AtomicReference<RunResult> result = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                result.set(vm.run());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        runner.start();
        RunSession s;
        while ((s = vm.session()) == null || s.gate() == null || s.sink().total() < 100) Thread.sleep(5);
        for (int round = 0; round < 5; round++) {
            assertTrue(s.pauseAll(Duration.ofSeconds(5)), "every vCPU parks (the AP parks from its wait for SIPI)");
            long before = s.sink().total();
            Thread.sleep(100);
            assertEquals(before, s.sink().total(), "round " + round + ": the guest ran while paused");
            s.resumeAll();
            long until = System.nanoTime() + 5_000_000_000L;
            while (s.sink().total() == before && System.nanoTime() < until) Thread.sleep(1);
            assertTrue(s.sink().total() > before, "round " + round + ": the guest did not resume");
        }
        assertTrue(s.pauseAll(Duration.ofSeconds(5)));
        vm.stop(); // a stop ends a paused run
        runner.join(10_000);
        assertEquals(Outcome.STOPPED, result.get().outcome());
    }
}
