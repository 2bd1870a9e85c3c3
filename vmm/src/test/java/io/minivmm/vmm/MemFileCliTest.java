package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --mem-file FILE} through the CLI: the demo runs on file-backed RAM; bad uses are one line, 66 or 64. */
@RequiresKvm
class MemFileCliTest {
    private record Run(int status, String err) {}

    private static Run run(String... args) {
        PrintStream oldErr = System.err, oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return new Run(Main.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    @Test
    void demoRunsOnAFileThatIsCreatedAtTheRamSize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ram.img");
        Run r = run("--mem", "16M", "--mem-file", file.toString(), "--timeout", "20s");
        assertEquals(0, r.status(), r.err());
        assertEquals(16L << 20, Files.size(file));
    }

    @Test
    void unusableFileIsExit66InOneLine(@TempDir Path dir) {
        Run r = run("--mem", "16M", "--mem-file", dir.resolve("no/such/dir/ram.img").toString(), "--timeout", "20s");
        assertEquals(66, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("ram.img"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        Run d = run("--mem", "16M", "--mem-file", dir.toString(), "--timeout", "20s"); // a directory
        assertEquals(66, d.status(), d.err());
        assertEquals(1, d.err().strip().lines().count(), d.err());
    }

    @Test
    void hugepagesWithAFileIsAUsageError(@TempDir Path dir) {
        Run r = run("--mem-file", dir.resolve("x").toString(), "--hugepages");
        assertEquals(64, r.status(), r.err());
        assertTrue(r.err().contains("--mem-file"), r.err());
    }
}
