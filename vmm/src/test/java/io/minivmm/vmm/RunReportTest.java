package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    private static final RunReport.Config CONFIG = new RunReport.Config("/images/echo.bin", "raw", 2 << 20, 1, 300L, "exact");

    private static RunResult result(Outcome o, int status, Duration first) {
        return new RunResult(o, status, new byte[0], Duration.ofNanos(1_234_567_891L), first,
                Map.of("io", 40L, "hlt", 2L), Map.of("0x3f8", 30L, "0xf4", 1L), "", "m", 8192, 29, 0, "", "screen line\n");
    }

    @Test
    void aRunReportParsesBackWithEveryField() {
        String json = RunReport.of(result(Outcome.GUEST_EXIT, 3, Duration.ofNanos(2_500_000)), CONFIG, null, 3,
                "guest exited with status 3").toJson();
        JsonObject j = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(RunReport.SCHEMA, j.get("schema").getAsInt());
        assertEquals("GUEST_EXIT", j.get("outcome").getAsString());
        assertTrue(j.get("crashReport").isJsonNull(), "no crash, no report");
        assertEquals("screen line\n", j.get("vgaText").getAsString());
        assertEquals(3, j.get("exitStatus").getAsInt());
        assertEquals("guest exited with status 3", j.get("message").getAsString());
        assertTrue(j.get("signal").isJsonNull());
        assertEquals(2.5, j.get("firstSerialByteMs").getAsDouble(), 1e-9);
        assertEquals(2_500_000L, j.get("firstSerialByteNs").getAsLong());
        assertEquals(1234.568, j.get("wallTimeMs").getAsDouble(), 1e-9);
        assertEquals(1_234_567_891L, j.get("wallTimeNs").getAsLong());
        assertEquals(29, j.get("serialBytes").getAsLong());
        assertEquals(42, j.get("totalExits").getAsLong());
        assertEquals(40, j.getAsJsonObject("exitsByKind").get("io").getAsLong());
        assertEquals(2, j.getAsJsonObject("exitsByKind").get("hlt").getAsLong());
        assertEquals(30, j.getAsJsonObject("exitsByPort").get("0x3f8").getAsLong());
        assertEquals(1, j.getAsJsonObject("exitsByPort").get("0xf4").getAsLong());
        assertEquals(8192, j.get("guestRamTouchedBytes").getAsLong());
        JsonObject c = j.getAsJsonObject("config");
        assertEquals("/images/echo.bin", c.get("kernel").getAsString());
        assertEquals("raw", c.get("format").getAsString());
        assertEquals(2 << 20, c.get("memBytes").getAsLong());
        assertEquals(1, c.get("cpus").getAsInt());
        assertEquals(300, c.get("timeoutMs").getAsLong());
        assertEquals("exact", c.get("debugExit").getAsString());
        assertTrue(j.has("version"));
    }

    @Test
    void noSerialOutputAndASignalAreExplicit() {
        JsonObject j = JsonParser.parseString(RunReport.of(result(Outcome.STOPPED, 0, null), CONFIG, "TERM", 143,
                "stopped by SIGTERM").toJson()).getAsJsonObject();
        assertTrue(j.has("firstSerialByteMs") && j.get("firstSerialByteMs").isJsonNull());
        assertEquals("SIGTERM", j.get("signal").getAsString());
        assertEquals(143, j.get("exitStatus").getAsInt());
    }

    @Test
    void aFailureReportHasTheSameKeys() {
        JsonObject ok = JsonParser.parseString(RunReport.of(result(Outcome.TIMEOUT, 124, null), CONFIG, null, 124, "t")
                .toJson()).getAsJsonObject();
        JsonObject bad = JsonParser.parseString(RunReport.failure(RunReport.KVM_UNAVAILABLE, 69, "no /dev/kvm", null)
                .toJson()).getAsJsonObject();
        assertEquals(ok.keySet(), bad.keySet());
        assertEquals("KVM_UNAVAILABLE", bad.get("outcome").getAsString());
        assertEquals(69, bad.get("exitStatus").getAsInt());
        assertTrue(bad.get("config").isJsonNull());
        assertTrue(bad.get("wallTimeMs").isJsonNull());
    }

    @Test
    void theTargetIsOpenedUpFrontAndReplacedOnWrite(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("r.json");
        Files.writeString(p, "stale content that is longer than the report");
        try (RunReport.Target t = RunReport.open(p)) {
            assertEquals(0, Files.size(p), "a stale report is emptied before the run");
            t.write("{\"a\":1}\n");
            t.write("{}\n");
        }
        assertEquals("{}\n", Files.readString(p, StandardCharsets.UTF_8));
    }

    @Test
    void unwritablePathsFailWithOneLine(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> RunReport.open(dir.resolve("missing/r.json")));
        assertEquals("cannot write the report to " + dir.resolve("missing/r.json") + ": no such directory", e.getMessage());
        e = assertThrows(IOException.class, () -> RunReport.open(dir));
        assertTrue(e.getMessage().endsWith("it is a directory"), e.getMessage());
    }
}
