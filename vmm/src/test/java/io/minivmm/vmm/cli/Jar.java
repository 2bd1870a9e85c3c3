package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built vmm.jar in a child JVM, as a user would. */
final class Jar {
    private Jar() {}

    /**
     * Until the loader's bootsector detection is merged, the 512-byte boot-sector guests need
     * these flags; afterwards plain {@code --kernel echo.bin} finds them as {@code bootsector}.
     */
    /** Raw real-mode bytes at 0x7c00 (for guests that are not valid boot sectors). */
    static final List<String> RAW_REAL = List.of("--format", "raw", "--load-addr", "0x7c00", "--entry", "0x7c00",
            "--mode", "real", "--mem", "2M");
    /** The echo and flood guests are boot sectors: format detection finds them; only RAM is set. */
    static final List<String> BOOT_SECTOR = List.of("--mem", "2M");

    static Path jar() {
        Path p = Path.of(System.getProperty("minivmm.jar", "target/vmm.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(p), p + " is missing: run 'mvn package' first");
        return p;
    }

    static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    /** {@code java [jvmArgs] -jar vmm.jar [args]}. */
    static List<String> command(List<String> jvmArgs, List<String> args) {
        List<String> c = new ArrayList<>();
        c.add(java());
        c.addAll(jvmArgs);
        c.add("-jar");
        c.add(jar().toString());
        c.addAll(args);
        return c;
    }

    static List<String> command(String... args) { return command(List.of(), List.of(args)); }

    /** Copies the guest {@code /guests/NAME.bin} (from the guest module's jar) into {@code dir}. */
    static Path guest(String name, Path dir) throws IOException {
        try (InputStream in = Jar.class.getResourceAsStream("/guests/" + name + ".bin")) {
            assertNotNull(in, "guest " + name + " missing from the test classpath");
            Path p = dir.resolve(name + ".bin");
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    /** A finished run: exit status, stdout bytes, stderr text. */
    record Run(int status, byte[] out, String err) {
        String outText() { return new String(out, StandardCharsets.ISO_8859_1); }

        @Override
        public String toString() { return "status " + status + ", stdout [" + outText() + "], stderr [" + err + "]"; }
    }

    /** Runs {@code cmd} with {@code stdin} piped in (then closed) and waits at most {@code limit}. */
    static Run run(List<String> cmd, byte[] stdin, Duration limit) throws Exception {
        return run(new ProcessBuilder(cmd), stdin, limit);
    }

    /** Runs a prepared process (e.g. with its own environment), no stdin, at most 60 s. */
    static Run run(ProcessBuilder pb) throws Exception { return run(pb, new byte[0], Duration.ofSeconds(60)); }

    static Run run(ProcessBuilder pb, byte[] stdin, Duration limit) throws Exception {
        List<String> cmd = pb.command();
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = copier(p.getInputStream(), out);
        Thread e = copier(p.getErrorStream(), err);
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        } catch (IOException ignored) {
            // the VMM may exit before reading everything
        }
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail("still running after " + limit + ": " + String.join(" ", cmd));
        }
        o.join();
        e.join();
        return new Run(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(List<String> cmd) throws Exception { return run(cmd, new byte[0], Duration.ofSeconds(60)); }

    static Thread copier(InputStream in, OutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // process gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Shell-quotes for {@code sh -c}. */
    static String shell(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (b.length() > 0) b.append(' ');
            b.append('\'').append(w.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }

    /** Whether {@code tool} is on the PATH. */
    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    /** Asserts a user error: one line on stderr, no Java stack trace. */
    static void assertOneLineError(Run r) {
        String err = r.err().strip();
        assertFalse(err.isEmpty(), r.toString());
        assertEquals(1, err.lines().count(), "one line expected: " + r);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + r);
        assertTrue(err.startsWith("minivmm: "), r.toString());
    }
}
