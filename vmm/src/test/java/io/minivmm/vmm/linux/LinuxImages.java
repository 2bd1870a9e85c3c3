package io.minivmm.vmm.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** The Debian cloud kernel: its path, or why there is none. */
    record Fetched(Path kernel, String whyNot) {}

    /**
     * The Debian cloud kernel that {@code scripts/fetch-debian-kernel.sh} left in
     * {@code <repo>/images-cache/} (or {@code $MINIVMM_IMAGES_CACHE}), or the file named by
     * {@code -Dminivmm.debianKernel}. Nothing is downloaded here: a test run has no side effects
     * (no apt-get, no root, no network); {@code .ci/run} runs the script before the tests.
     */
    static Fetched debianCloudKernel() {
        String prop = System.getProperty("minivmm.debianKernel");
        if (prop != null && !prop.isEmpty()) {
            Path p = Path.of(prop);
            return Files.isRegularFile(p) ? new Fetched(p, null)
                    : new Fetched(null, "-Dminivmm.debianKernel=" + prop + " is not a file");
        }
        String env = System.getenv("MINIVMM_IMAGES_CACHE");
        Path root = repoRoot();
        Path cache = env != null && !env.isEmpty() ? Path.of(env) : root == null ? null : root.resolve("images-cache");
        Path link = cache == null ? null : cache.resolve("debian-cloud-vmlinuz");
        if (link != null && Files.isRegularFile(link)) return new Fetched(link, null);
        return new Fetched(null, "the Debian cloud kernel is not downloaded (" + link + "): run"
                + " scripts/fetch-debian-kernel.sh (apt-get download, network) or set -Dminivmm.debianKernel=FILE");
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
