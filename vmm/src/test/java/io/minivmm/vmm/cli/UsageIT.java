package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Usage errors a new user runs into: odd --mem values and QEMU's spellings, each one clear line and 64. */
class UsageIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "16T, too large",
        "1T, too large",
        "0, at least 1M",
        "-5, size like",
        "12Q, size like",
        "99999999999999999999, too large",
    })
    void impossibleMemorySizesAreUsageErrorsNamingTheLimit(String mem, String says) throws Exception {
        Jar.Run r = Jar.run(Jar.command("--mem", mem));
        assertEquals(64, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("--mem") && r.err().contains(says), r.toString());
        if (says.equals("too large") && !mem.startsWith("9")) {
            assertTrue(r.err().matches("(?s).*(RAM and swap|commit limit|KVM memory slot|physical address).*"),
                    "names the limit: " + r);
        }
        assertEquals(0, r.out().length);
    }

    /**
     * When JNA's native library cannot be loaded (here: not unpacked, not found), the run says so
     * in one line naming the original error, and exits 70; the warm-up thread that met the error
     * first does not turn it into a bare NoClassDefFoundError.
     */
    @Test
    void nativeCodeThatCannotLoadIsOneLineAndSeventy() throws Exception {
        Jar.Run r = Jar.run(Jar.command(List.of("-Djna.nounpack=true", "-Djna.nosys=true",
                "-Djna.boot.library.path=" + dir.resolve("none")), List.of()));
        assertEquals(70, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("cannot load minivmm's native code") && r.err().contains("JNA native support"),
                r.toString());
        assertEquals(0, r.out().length);
    }

    /** {@code --mem 64} is 64 MiB, as QEMU's {@code -m 64}, not 64 bytes. */
    @Test
    void aBareMemoryNumberIsMebibytes() throws Exception {
        Path report = dir.resolve("r.json");
        Jar.Run r = Jar.run(Jar.command("--mem", "64", "--kernel", dir.resolve("absent").toString(),
                "--report", report.toString()));
        assertEquals(66, r.status(), r.toString());
        JsonObject c = JsonParser.parseString(Files.readString(report)).getAsJsonObject().getAsJsonObject("config");
        assertEquals(64L << 20, c.get("memBytes").getAsLong(), c.toString());
    }

    @ParameterizedTest
    @CsvSource({
        "-append, --cmdline",
        "-m, --mem",
        "-smp, --cpus",
        "-nographic, stdin/stdout",
        "-serial, stdin/stdout",
        "-kernel, --kernel",
        "-initrd, --initrd",
        "-s, GDB",
        "-S, GDB",
        "-drive, disk",
    })
    void qemuSpellingsAreAnsweredWithTheEquivalent(String qemu, String says) throws Exception {
        Jar.Run r = Jar.run(Jar.command(qemu, "x"));
        assertEquals(64, r.status(), r.toString());
        Jar.assertOneLineError(r);
        // case-insensitive: "-s" names GDB ("no GDB stub") or, once the stub exists, "--gdb"
        assertTrue(r.err().contains(qemu + " is QEMU's spelling")
                && r.err().toLowerCase(java.util.Locale.ROOT).contains(says.toLowerCase(java.util.Locale.ROOT)), r.toString());
    }

    /**
     * An option's value that happens to look like a QEMU flag is a value, not a habit. Since -s is
     * a real option (QEMU's spelling of --gdb), a value that is itself an option is written
     * {@code --cmdline=-s}, as with any getopt-style parser.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-s", "-append"})
    void aQemuSpellingAsAnOptionValueIsNotAnswered(String value) throws Exception {
        Jar.Run r = Jar.run(Jar.command("--cmdline=" + value, "--kernel", dir.resolve("absent").toString()));
        assertEquals(66, r.status(), r.toString());
        if (!value.equals("-s")) {
            Jar.Run spaced = Jar.run(Jar.command("--cmdline", value, "--kernel", dir.resolve("absent").toString()));
            assertEquals(66, spaced.status(), spaced.toString());
        }
    }
}
