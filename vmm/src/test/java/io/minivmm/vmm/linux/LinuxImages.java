package io.minivmm.vmm.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Where the real Linux images are, and the serial-marker assertions the Linux tests share. */
final class LinuxImages {
    private LinuxImages() {}

    /** The fast command line of shared/images/README.md. */
    static final String FAST_CMDLINE = "console=ttyS0 reboot=k panic=-1 noxsave clearcpuid=popcnt,smap,erms,fsrm"
            + " percpu_alloc=page";

    /** The repository root (the directory holding .git), or null. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) return p;
        }
        return null;
    }

    /** {@code <repo>/../shared/images} (the CI layout) or /work/shared/images; null if neither exists. */
    static Path sharedImages() {
        List<Path> candidates = new ArrayList<>();
        Path root = repoRoot();
        if (root != null) candidates.add(root.resolveSibling("shared").resolve("images"));
        candidates.add(Path.of("/work/shared/images"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve("linux-tiny.vmlinux")) && Files.isRegularFile(c.resolve("initramfs-tiny.cpio"))) {
                return c;
            }
        }
        return null;
    }

    /** The result of running scripts/fetch-debian-kernel.sh: the vmlinuz path, or why there is none. */
    record Fetched(Path kernel, String whyNot) {}

    /** Runs scripts/fetch-debian-kernel.sh (cached after the first download). */
    static Fetched debianCloudKernel() {
        Path root = repoRoot();
        if (root == null) return new Fetched(null, "no repository root above " + Path.of("").toAbsolutePath());
        Path script = root.resolve("scripts/fetch-debian-kernel.sh");
        if (!Files.isExecutable(script)) return new Fetched(null, script + " is missing");
        try {
            Path log = Files.createTempFile("fetch-debian-kernel", ".log");
            Process p = new ProcessBuilder(script.toString()).redirectError(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Fetched(null, "fetch-debian-kernel.sh did not finish in 10 minutes");
            }
            String err = Files.readString(log).strip();
            Files.deleteIfExists(log);
            if (p.exitValue() != 0 || out.isEmpty() || !Files.isRegularFile(Path.of(out))) {
                return new Fetched(null, "the Debian cloud kernel package could not be downloaded (fetch-debian-kernel.sh"
                        + " exit " + p.exitValue() + "): " + err.replace('\n', ' '));
            }
            return new Fetched(Path.of(out), null);
        } catch (IOException e) {
            return new Fetched(null, "cannot run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Fetched(null, "interrupted");
        }
    }

    /**
     * Asserts that {@code markers} occur in {@code serial} in this order (each after the previous
     * one) and returns the offset after the last; the failure names the missing marker and shows
     * the end of the output.
     */
    static int assertInOrder(String serial, int from, String... markers) {
        int at = from;
        for (String m : markers) {
            int i = serial.indexOf(m, at);
            if (i < 0) {
                String where = serial.indexOf(m) >= 0 ? " (it occurs, but before the previous marker)" : "";
                throw new AssertionError("serial output lacks \"" + m + "\"" + where + " after offset " + at
                        + "; last 3000 chars:\n" + tail(serial, 3000));
            }
            at = i + m.length();
        }
        return at;
    }

    static String tail(String s, int n) { return s.length() <= n ? s : s.substring(s.length() - n); }
}
