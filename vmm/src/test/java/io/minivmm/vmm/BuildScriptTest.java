package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * native-stubs/build.sh with a missing build tool: one line on stderr, the first, naming the
 * package to install (the Maven trace that follows it adds nothing a user needs).
 */
class BuildScriptTest {
    @TempDir
    Path dir;

    static Path script() {
        Path p = Path.of("..", "native-stubs", "build.sh").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(p), "not run from the source tree: " + p);
        return p;
    }

    /** A PATH with only {@code dirname} (build.sh's one external helper) and the given fake tools. */
    private String path(String... fakeTools) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String d : new String[] {"/usr/bin/dirname", "/bin/dirname"}) {
            if (Files.isExecutable(Path.of(d)) && !Files.exists(bin.resolve("dirname"))) {
                Files.createSymbolicLink(bin.resolve("dirname"), Path.of(d));
            }
        }
        for (String tool : fakeTools) {
            Path t = bin.resolve(tool);
            Files.writeString(t, "#!/bin/sh\nexit 1\n"); // present, but every compile fails (no headers)
            t.toFile().setExecutable(true);
        }
        return bin.toString();
    }

    private String[] run(String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", script().toString(), dir.resolve("target").toString());
        pb.environment().put("PATH", path);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new String[] {String.valueOf(p.exitValue()), out, err};
    }

    @Test
    void noGccIsOneLineNamingThePackage() throws Exception {
        String[] r = run(path());
        assertEquals("1", r[0], r[2]);
        List<String> lines = r[2].strip().lines().toList();
        assertEquals(1, lines.size(), r[2]);
        assertEquals("minivmm build: 'gcc' not found; install it with: apt-get install gcc", lines.get(0));
        assertEquals("", r[1]);
    }

    @Test
    void missingHeadersAreOneLineNamingLibc6Dev() throws Exception {
        String[] r = run(path("gcc"));
        assertEquals("1", r[0], r[2]);
        List<String> lines = r[2].strip().lines().toList();
        assertEquals(1, lines.size(), r[2]);
        assertTrue(lines.get(0).contains("libc6-dev") && lines.get(0).contains("linux/kvm.h"), lines.get(0));
    }
}
