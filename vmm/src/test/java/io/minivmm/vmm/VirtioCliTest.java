package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtio options through the CLI: bad values are one-line usage/data errors, no stack trace. */
@RequiresKvm
class VirtioCliTest {
    @TempDir
    Path tmp;

    record Ran(int status, String err) { }

    static Ran run(String... args) {
        PrintStream oldErr = System.err, oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return new Ran(Main.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    static void assertOneLine(Ran r) {
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
    }

    @Test
    void badConsoleKindIsAUsageError() {
        Ran r = run("--console", "hdmi", "--timeout", "5s");
        assertEquals(Main.EX_USAGE, r.status);
        assertTrue(r.err.contains("--console must be serial or virtio"), r.err);
    }

    @Test
    void diskNotAMultipleOf512Exits65AndALockedDiskToo() throws Exception {
        Path odd = tmp.resolve("odd.img");
        Files.write(odd, new byte[1000]);
        Ran r = run("--disk", odd.toString(), "--mem", "16M", "--timeout", "5s");
        assertEquals(Main.EX_DATAERR, r.status, r.err);
        assertTrue(r.err.contains("not a multiple of 512"), r.err);
        assertOneLine(r);
        Path img = tmp.resolve("twice.img");
        Files.write(img, new byte[4096]);
        r = run("--disk", img.toString(), "--disk", img.toString(), "--mem", "16M", "--timeout", "5s");
        assertEquals(Main.EX_DATAERR, r.status, r.err);
        assertTrue(r.err.contains("in use by another VM"), r.err);
        assertOneLine(r);
    }

    @Test
    void demoRunsWithEveryVirtioDeviceAttached() throws Exception {
        Path img = tmp.resolve("d.img");
        Files.write(img, new byte[4096]);
        // The demo does not use them: the machine must still build, run and close cleanly.
        Path ro = tmp.resolve("r.img");
        Files.write(ro, new byte[8192]);
        // With --disk and no --kernel the machine would boot the disk like a PC: name the demo as the kernel.
        Path demo = tmp.resolve("demo.bin");
        try (var in = Vm.class.getResourceAsStream("/guests/demo.bin")) {
            Files.write(demo, in.readAllBytes());
        }
        Ran r = run("--kernel", demo.toString(), "--format", "raw", "--load-addr", "0x100000", "--entry", "0x100000", "--mode", "long",
                "--disk", img.toString(), "--disk", ro + ",ro", "--rng", "--console", "virtio", "--mem", "16M", "--timeout", "20s");
        assertEquals(0, r.status, r.err);
    }
}
