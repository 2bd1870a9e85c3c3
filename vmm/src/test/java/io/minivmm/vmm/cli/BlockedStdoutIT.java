package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmm.jar --kernel FLOOD --timeout 8s | sleep 30}: the timeout wins over a stdout nobody
 * reads. 8 s: under nested KVM the flood guest writes 15-40 KB/s (one exit per byte), and the
 * pipe (64 KiB) must fill for the writes to block.
 */
@RequiresKvm
class BlockedStdoutIT {
    @TempDir
    Path dir;

    @Test
    void aTimeoutEndsTheProcessWhileStdoutIsNotRead() throws Exception {
        Path flood = Jar.guest("flood", dir);
        Path report = dir.resolve("r.json");
        List<String> args = new ArrayList<>(List.of("--kernel", flood.toString(), "--timeout", "8s", "--report", report.toString()));
        args.addAll(Jar.BOOT_SECTOR);
        long t0 = System.nanoTime();
        // stdout is a pipe this test never reads: it fills (64 KiB) and every write then blocks
        Process p = new ProcessBuilder(Jar.command(List.of(), args)).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread e = Jar.copier(p.getErrorStream(), err);
        boolean ended = p.waitFor(30, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (!ended) p.destroyForcibly();
        assertTrue(ended, "still running 30 s after an 8 s timeout");
        e.join();
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(124, p.exitValue(), stderr);
        assertTrue(ms < 8000 + 6000, "ended " + ms + " ms after start (JVM start, 8 s, a short bound)");
        long written = com.google.gson.JsonParser.parseString(Files.readString(report)).getAsJsonObject().get("serialBytes").getAsLong();
        // more than twice what a pipe holds (64 KiB): output was left undelivered, and it says so
        if (written > 128 << 10) assertTrue(stderr.contains("serial output is not being read"), "says so: " + stderr);
        assertEquals(1, stderr.lines().filter(l -> l.contains("not being read")).count(), "once: " + stderr);
        assertFalse(stderr.contains("\tat "), stderr);
        p.getInputStream().close();
        assertTrue(Files.exists(flood));
    }
}
