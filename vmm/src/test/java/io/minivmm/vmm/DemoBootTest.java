package io.minivmm.vmm;

import io.minivmm.vmm.devices.DebugExit;
import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The embedded demo and tiny raw guests through the library API, on a real vCPU. */
@RequiresKvm
class DemoBootTest {
    @Test
    void demoPrintsItsBannerAndExitsZero() throws Exception {
        RunResult r = Vm.builder().timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message());
        assertEquals(0, r.exitStatus());
        assertTrue(r.serialText().startsWith("minivmm demo guest: hello from 64-bit long mode\r\n"), r.serialText());
        assertTrue(r.serialText().matches("(?s).*cpu vendor: (GenuineIntel|AuthenticAMD|\\S{12})\r\n"), r.serialText());
        // Every banner byte went through the THR: one out per byte, plus the LSR polls and the exit.
        assertTrue(r.portCounts().get("0x3f8") >= r.serial().length, r.portCounts().toString());
        assertEquals(1L, r.portCounts().get("0xf4"));
        assertNotNull(r.firstSerialByte());
    }

    /** A real-mode raw guest: mov al, 42; out 0xf4, al. */
    @Test
    void rawRealModeGuestExitStatusIsTheValueWritten() throws Exception {
        byte[] code = {(byte) 0xb0, 42, (byte) 0xe6, (byte) 0xf4, (byte) 0xf4};
        RunResult r = Vm.builder().image("raw", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20)
                .timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message());
        assertEquals(42, r.exitStatus());
    }

    @Test
    void qemuDebugExitSemantics() throws Exception {
        byte[] code = {(byte) 0xb0, 3, (byte) 0xe6, (byte) 0xf4, (byte) 0xf4};
        RunResult r = Vm.builder().image("raw", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20)
                .debugExit(DebugExit.Mode.QEMU).timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(7, r.exitStatus());
    }

    @Test
    void endlessLoopEndsWithTimeout() throws Exception {
        byte[] code = {(byte) 0xeb, (byte) 0xfe}; // jmp $
        long t0 = System.nanoTime();
        RunResult r = Vm.builder().image("loop", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20)
                .timeout(Duration.ofMillis(300)).build().run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Outcome.TIMEOUT, r.outcome());
        assertEquals(124, r.exitStatus());
        assertTrue(ms >= 300 && ms < 1500, "took " + ms + " ms for a 300 ms timeout");
    }

    @Test
    void tripleFaultIsReported() throws Exception {
        // Long mode with an empty IDT: ud2 -> #UD -> #GP -> #DF -> triple fault.
        byte[] code = {0x0f, 0x0b};
        RunResult r = Vm.builder().image("ud2", code).raw(0x100000, 0x100000, CpuMode.LONG).memory(4 << 20)
                .timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(Outcome.TRIPLE_FAULT, r.outcome(), r.message());
        assertEquals(125, r.exitStatus());
        assertTrue(r.crashReport().contains("triple fault"), r.crashReport());
        assertTrue(r.crashReport().contains("rip   =0000000000100000"), r.crashReport());
        // the bytes at RIP, read through the guest's own page tables, and what KVM was delivering
        assertTrue(r.crashReport().contains("--- bytes at RIP (linear 0x100000, physical 0x100000): 0f 0b"), r.crashReport());
        assertTrue(r.crashReport().contains("--- event delivery (KVM_GET_VCPU_EVENTS)"), r.crashReport());
        assertTrue(r.crashReport().matches("(?s).*(exception #|nothing pending: at a triple fault).*"), r.crashReport());
        // and the report goes into the --report JSON
        var j = com.google.gson.JsonParser.parseString(RunReport.of(r, null, null, r.exitStatus(), r.message()).toJson())
                .getAsJsonObject();
        assertEquals(r.crashReport(), j.get("crashReport").getAsString());
    }

    @Test
    void crashReportWalksTheGuestPageTablesToTheMissingPage() throws Exception {
        // movabs rax, 0x400000000000; jmp rax: the fetch faults (nothing mapped there), no IDT.
        byte[] code = {0x48, (byte) 0xb8, 0, 0, 0, 0, 0, 0x40, 0, 0, (byte) 0xff, (byte) 0xe0};
        RunResult r = Vm.builder().image("wild-jump", code).raw(0x100000, 0x100000, CpuMode.LONG).memory(4 << 20)
                .timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(125, r.exitStatus(), r.message());
        String report = r.crashReport();
        assertTrue(report.contains("CR2 (last page-fault address) 0x400000000000"), report);
        // PML4 index of 0x400000000000 is 128: its entry is empty, and the walk says so.
        assertTrue(report.matches("(?s).*PML4E\\[128\\] @0x[0-9a-f]+ = 0000000000000000 -RS  NOT PRESENT: walk stops.*"), report);
        // The IDT is empty, and the report says what that means.
        assertTrue(report.contains("limit=0x0 (empty"), report);
    }

    @Test
    void expectEndsTheRunAsSoonAsTheSerialOutputMatches() throws Exception {
        RunResult r = Vm.builder().expect(java.util.regex.Pattern.compile("hello from \\d+-bit"))
                .timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(Outcome.EXPECT_MATCHED, r.outcome(), r.message());
        assertEquals(0, r.exitStatus());
        // The run stopped at the match: the second line of the banner was never written.
        assertFalse(r.serialText().contains("cpu vendor"), r.serialText());
    }

    @Test
    void failOnWinsWithStatusOne() throws Exception {
        RunResult r = Vm.builder().failOn(java.util.regex.Pattern.compile("long\\s+mode"))
                .expect(java.util.regex.Pattern.compile("cpu vendor")).timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(Outcome.FAIL_MATCHED, r.outcome(), r.message());
        assertEquals(1, r.exitStatus());
    }

    @Test
    void stopFromAnotherThread() throws Exception {
        byte[] code = {(byte) 0xeb, (byte) 0xfe};
        Vm vm = Vm.builder().image("loop", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20)
                .timeout(Duration.ofSeconds(30)).build();
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                return;
            }
            vm.stop();
        });
        stopper.start();
        RunResult r = vm.run();
        stopper.join();
        assertEquals(Outcome.STOPPED, r.outcome());
        assertTrue(r.wallTime().toMillis() < 10_000);
    }
}
