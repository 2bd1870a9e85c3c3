package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every malformed image of the loader's corpus, through the CLI as a user would run it: exit 65,
 * one line on stderr naming the problem, no stack trace, nothing on stdout.
 */
@RequiresKvm
class MalformedImageCliTest {
    @Test
    void everyCorpusImageExits65WithOneLine() throws Exception {
        Path dir = Path.of("src", "test", "resources", "loader-corpus");
        List<Path> images;
        try (Stream<Path> s = Files.list(dir)) {
            images = s.filter(p -> !p.toString().endsWith(".expect")).sorted().collect(Collectors.toList());
        }
        assertTrue(images.size() >= 30, "corpus has " + images.size() + " images");
        PrintStream oldErr = System.err, oldOut = System.out;
        try {
            for (Path img : images) {
                ByteArrayOutputStream err = new ByteArrayOutputStream(), out = new ByteArrayOutputStream();
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                int status = Main.run("--kernel", img.toString(), "--mem", "64M", "--timeout", "10s");
                System.setErr(oldErr);
                System.setOut(oldOut);
                String e = err.toString(StandardCharsets.UTF_8);
                assertEquals(65, status, img + ": " + e);
                assertEquals(1, e.strip().lines().count(), img + ": one line expected, got:\n" + e);
                assertFalse(e.contains("Exception") || e.contains("\tat "), img + ": " + e);
                Path expect = img.resolveSibling(img.getFileName().toString().replaceFirst("\\.[^.]*$", "") + ".expect");
                assertTrue(Files.exists(expect), "no .expect for " + img);
                if (Files.exists(expect)) {
                    String fragment = Files.readString(expect).strip();
                    assertTrue(e.contains(fragment), img + ": '" + fragment + "' not in " + e);
                }
            }
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }
}
