package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.minivmm.kvm.junit.RequiresKvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract's exit statuses and messages, through the jar. */
class CliIT {
    @TempDir
    Path dir;

    @Test
    @RequiresKvm
    void noArgumentsBootsTheDemo() throws Exception {
        Jar.Run r = Jar.run(Jar.command());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.outText().startsWith("minivmm demo guest: hello from 64-bit long mode\r\n"), r.toString());
        assertEquals("", r.err());
    }

    @Test
    void aBadSizeIsAUsageError() throws Exception {
        Jar.Run r = Jar.run(Jar.command("--mem", "banana"));
        assertEquals(64, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("--mem"), r.toString());
        assertEquals(0, r.out().length);
    }

    @Test
    void aMissingKernelIs66() throws Exception {
        Jar.Run r = Jar.run(Jar.command("--kernel", "/nonexistent"));
        assertEquals(66, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("/nonexistent"), r.toString());
    }

    @Test
    void noKvmIs69WithTheFix() throws Exception {
        Jar.Run r = Jar.run(Jar.command(List.of("-Dminivmm.kvm.device=/nonexistent"), List.of()));
        assertEquals(69, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("/nonexistent"), r.toString());
        assertTrue(r.err().contains("modprobe") || r.err().contains("enable"), "says how to fix it: " + r);
        assertEquals(0, r.out().length);
    }

    @Test
    void helpAndVersionExitZero() throws Exception {
        Jar.Run help = Jar.run(Jar.command("--help"));
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.outText().contains("--report"), help.toString());
        Jar.Run version = Jar.run(Jar.command("--version"));
        assertEquals(0, version.status(), version.toString());
        assertTrue(version.outText().startsWith("minivmm "), version.toString());
    }

    @Test
    void anUnwritableReportIsAUsageErrorBeforeBooting() throws Exception {
        Jar.Run r = Jar.run(Jar.command("--report", dir.resolve("no/such/dir/r.json").toString()));
        assertEquals(64, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertEquals(0, r.out().length, "the demo must not have booted");
        Jar.Run d = Jar.run(Jar.command("--report", dir.toString()));
        assertEquals(64, d.status(), d.toString());
        Jar.assertOneLineError(d);
    }

    @Test
    void aBadAcpiValueIsAUsageError() throws Exception {
        Jar.Run r = Jar.run(Jar.command("--acpi", "maybe"));
        assertEquals(64, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("--acpi must be on or off"), r.toString());
    }

    @Test
    void theReportIsWrittenWhenKvmIsUnavailable() throws Exception {
        Path report = dir.resolve("r.json");
        Jar.Run r = Jar.run(Jar.command(List.of("-Dminivmm.kvm.device=/nonexistent"),
                List.of("--report", report.toString())));
        assertEquals(69, r.status(), r.toString());
        JsonObject j = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals("KVM_UNAVAILABLE", j.get("outcome").getAsString());
        assertEquals(69, j.get("exitStatus").getAsInt());
        assertTrue(j.get("wallTimeMs").isJsonNull());
    }

    @Test
    @RequiresKvm
    void theReportDescribesTheDemoRun() throws Exception {
        Path report = dir.resolve("r.json");
        Jar.Run r = Jar.run(Jar.command("--report", report.toString(), "--mem", "64M"));
        assertEquals(0, r.status(), r.toString());
        JsonObject j = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals("GUEST_EXIT", j.get("outcome").getAsString());
        assertEquals(0, j.get("exitStatus").getAsInt());
        assertEquals(r.out().length, j.get("serialBytes").getAsLong(), "every serial byte reached stdout");
        double first = j.get("firstSerialByteMs").getAsDouble(), end = j.get("wallTimeMs").getAsDouble();
        assertTrue(first > 0 && first <= end, first + " / " + end);
        assertEquals(1, j.getAsJsonObject("exitsByPort").get("0xf4").getAsLong());
        assertTrue(j.getAsJsonObject("exitsByPort").get("0x3f8").getAsLong() >= r.out().length);
        assertTrue(j.getAsJsonObject("exitsByKind").get("io").getAsLong() > 0, j.toString());
        assertTrue(j.get("guestRamTouchedBytes").getAsLong() > 0);
        JsonObject c = j.getAsJsonObject("config");
        assertTrue(c.get("kernel").isJsonNull(), "the embedded demo");
        assertEquals(64L << 20, c.get("memBytes").getAsLong());
        assertEquals(1, c.get("cpus").getAsInt());
    }

    @Test
    @RequiresKvm
    void theReportIsWrittenOnATripleFaultAndATimeout() throws Exception {
        Path ud2 = dir.resolve("ud2.bin");
        Files.write(ud2, new byte[] {0x0f, 0x0b});
        Path report = dir.resolve("crash.json");
        Jar.Run r = Jar.run(Jar.command("--kernel", ud2.toString(), "--format", "raw", "--load-addr", "0x100000",
                "--entry", "0x100000", "--mode", "long", "--mem", "4M", "--report", report.toString()));
        assertEquals(125, r.status(), r.toString());
        assertTrue(r.err().contains("triple fault"), r.toString());
        JsonObject j = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals("TRIPLE_FAULT", j.get("outcome").getAsString());
        assertEquals(125, j.get("exitStatus").getAsInt());
        assertEquals(1, j.getAsJsonObject("exitsByKind").get("shutdown").getAsLong(), j.toString());

        Path loop = dir.resolve("loop.bin");
        Files.write(loop, new byte[] {(byte) 0xeb, (byte) 0xfe});
        List<String> args = new ArrayList<>(List.of("--kernel", loop.toString(), "--timeout", "300ms",
                "--report", report.toString()));
        args.addAll(Jar.RAW_REAL);
        Jar.Run t = Jar.run(Jar.command(List.of(), args), new byte[0], Duration.ofSeconds(60));
        assertEquals(124, t.status(), t.toString());
        JsonObject k = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals("TIMEOUT", k.get("outcome").getAsString());
        assertEquals(124, k.get("exitStatus").getAsInt());
        assertTrue(k.get("firstSerialByteMs").isJsonNull());
        assertTrue(k.get("wallTimeMs").getAsDouble() >= 300, k.toString());
    }
}
