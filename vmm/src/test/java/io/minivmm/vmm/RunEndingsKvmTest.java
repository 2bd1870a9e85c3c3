package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How runs end, with tiny real-mode guests at 0x7c00: the panic status, the debug console, the
 * stall report on a timeout, and the one-run life cycle of a Vm.
 */
@RequiresKvm
class RunEndingsKvmTest {
    /** Real-mode code that prints {@code text} on COM1, then does {@code tail}. */
    private static byte[] printThen(String text, byte[] tail) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0xba, (byte) 0xf8, 0x03}); // mov dx,0x3f8
        for (byte c : text.getBytes(StandardCharsets.ISO_8859_1)) b.writeBytes(new byte[] {(byte) 0xb0, c, (byte) 0xee}); // mov al,c; out dx,al
        b.writeBytes(tail);
        return b.toByteArray();
    }

    private static final byte[] HANG = {(byte) 0xfa, (byte) 0xf4, (byte) 0xeb, (byte) 0xfd}; // cli; hlt; jmp back
    /** mov al,0xfe; out 0x64,al: the i8042 pulse-reset, as Linux with panic=-1 does. */
    private static final byte[] RESET = {(byte) 0xb0, (byte) 0xfe, (byte) 0xe6, 0x64, (byte) 0xeb, (byte) 0xfe};

    private static VmBuilder guest(byte[] code) {
        return Vm.builder().image("t", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20).timeout(Duration.ofSeconds(30));
    }

    @Test
    void aLinuxPanicLineThenResetEndsWithThePanicStatus() throws Exception {
        byte[] code = printThen("[ 1.0] Kernel panic - not syncing: Attempted to kill init!\r\n", RESET);
        RunResult r = guest(code).build().run();
        assertEquals(Outcome.GUEST_PANIC, r.outcome(), r.message());
        assertEquals(123, r.exitStatus());
        assertTrue(r.message().contains("Attempted to kill init!"), r.message());
        // Allowed: the same guest's reset is an ordinary end.
        RunResult allowed = guest(code).detectPanic(false).build().run();
        assertEquals(Outcome.RESET, allowed.outcome());
        assertEquals(0, allowed.exitStatus());
    }

    @Test
    void aPanicThatHangsEndsAfterTheGracePeriodNotAtTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        RunResult r = guest(printThen("Kernel panic - not syncing: VFS: Unable to mount root fs\n", HANG)).build().run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Outcome.GUEST_PANIC, r.outcome(), r.message());
        assertTrue(ms < 15_000, "took " + ms + " ms");
    }

    @Test
    void pvpanicEndsTheRunWithThePanicStatus() throws Exception {
        // mov dx,0x505; in al,dx (capabilities); mov al,1; out dx,al; then hang
        byte[] code = {(byte) 0xba, 0x05, 0x05, (byte) 0xec, (byte) 0xb0, 0x01, (byte) 0xee, (byte) 0xfa, (byte) 0xf4, (byte) 0xeb, (byte) 0xfd};
        RunResult r = guest(code).build().run();
        assertEquals(Outcome.GUEST_PANIC, r.outcome(), r.message());
        assertTrue(r.message().contains("pvpanic"), r.message());
    }

    @Test
    void debugConsoleBytesReachTheStreamOrAreCounted() throws Exception {
        // mov dx,0xe9; "hi\n" out; mov dx,0x402; "S" out; exit 0 via port 0xf4.
        byte[] code = {(byte) 0xba, (byte) 0xe9, 0x00, (byte) 0xb0, 'h', (byte) 0xee, (byte) 0xb0, 'i', (byte) 0xee, (byte) 0xb0, '\n',
            (byte) 0xee, (byte) 0xba, 0x02, 0x04, (byte) 0xb0, 'S', (byte) 0xee, (byte) 0xb0, 0x00, (byte) 0xe6, (byte) 0xf4};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunResult r = guest(code).debugConsole(out).build().run();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message());
        assertEquals("hi\nS", out.toString(StandardCharsets.ISO_8859_1));
        assertEquals(4, r.debugconBytes());
        RunResult counted = guest(code).build().run();
        assertEquals(4, counted.debugconBytes());
        assertEquals(0, counted.serialBytes(), "debug-console bytes never reach the serial stream");
    }

    @Test
    void aTimeoutSaysWhereTheGuestWasAndWhatItPolled() throws Exception {
        // mov dx,0x1f7; 1: in al,dx; jmp 1b — polling an absent IDE status port.
        byte[] code = {(byte) 0xba, (byte) 0xf7, 0x01, (byte) 0xec, (byte) 0xeb, (byte) 0xfd};
        RunResult r = guest(code).timeout(Duration.ofMillis(2500)).build().run();
        assertEquals(Outcome.TIMEOUT, r.outcome());
        String s = r.stallReport();
        assertTrue(s.contains("vcpu 0: real mode, rip 0x7c0"), s);
        assertTrue(s.matches("(?s).*hottest ports in the last second: 0x1f7 x\\d+.*"), s);
    }

    @Test
    void aVmRunsOnceAndAStopBeforeRunCancelsIt() throws Exception {
        byte[] exit0 = {(byte) 0xb0, 0x00, (byte) 0xe6, (byte) 0xf4};
        Vm vm = guest(exit0).build();
        assertEquals(Outcome.GUEST_EXIT, vm.run().outcome());
        IllegalStateException again = assertThrows(IllegalStateException.class, vm::run);
        assertTrue(again.getMessage().contains("runs once"), again.getMessage());

        Vm stopped = guest(HANG).build();
        stopped.stop();
        long t0 = System.nanoTime();
        assertEquals(Outcome.STOPPED, stopped.run().outcome());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);

        Vm closed = guest(exit0).build();
        closed.close();
        assertThrows(IllegalStateException.class, closed::run);
    }
}
