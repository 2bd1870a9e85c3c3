package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The demo prints nothing but the guest's output, on stdout, under Java 17 and under Java 25
 * (where JNA's System::load and sun.misc.Unsafe would each print a block of WARNING lines), both
 * through {@code java -jar vmm.jar} and through the launcher the build writes beside it.
 * The Java 25 runs use {@code -Dminivmm.java25=JAVA_HOME}, else the first JDK 25 or later under
 * /usr/lib/jvm; without one they are skipped with the reason.
 */
class QuietStartIT {
    private static final String DEMO_FIRST_LINE = "minivmm demo guest: hello from 64-bit long mode\r\n";

    @Test
    @RequiresKvm
    void theDemoPrintsOnlyTheGuestUnderThisJava() throws Exception {
        assertQuiet(Jar.run(Jar.command()));
    }

    @Test
    @RequiresKvm
    void theDemoPrintsOnlyTheGuestUnderJava25() throws Exception {
        Path home = requireJava25();
        List<String> cmd = new ArrayList<>(Jar.command());
        cmd.set(0, home.resolve("bin/java").toString());
        assertQuiet(Jar.run(cmd));
    }

    @Test
    @RequiresKvm
    void theLauncherPrintsOnlyTheGuest() throws Exception {
        Path launcher = Jar.jar().resolveSibling("vmm");
        assertTrue(Files.isExecutable(launcher), launcher + " is missing: the package phase writes it");
        assertQuiet(Jar.run(List.of(launcher.toString())));
    }

    /**
     * However it is invoked (a relative path, through a symbolic link to its directory, found on
     * the PATH), the launcher hands the JVM the archive the build trained: Main comes from it.
     */
    @Test
    void theLauncherUsesItsArchiveHoweverItIsInvoked(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path launcher = archivedLauncher();
        Path link = Files.createSymbolicLink(tmp.resolve("linked"), launcher.getParent());
        Path dir = launcher.getParent().getParent();
        List<List<String>> ways = List.of(
                List.of("sh", "-c", "cd '" + dir + "' && exec " + launcher.getParent().getFileName() + "/vmm --version"),
                List.of("sh", "-c", "exec '" + link + "/vmm' --version"),
                List.of("sh", "-c", "PATH='" + launcher.getParent() + "':$PATH exec vmm --version"));
        int i = 0;
        for (List<String> way : ways) {
            Path log = tmp.resolve("classes." + i++ + ".txt");
            ProcessBuilder pb = new ProcessBuilder(way);
            underBuildJava(pb);
            pb.environment().put("JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
            Jar.Run r = Jar.run(pb);
            assertEquals(0, r.status(), way + ": " + r);
            assertEquals("", r.err(), way + ": " + r);
            String loaded = Files.readString(log);
            assertTrue(loaded.contains("io.minivmm.vmm.Main source: shared objects file"),
                    way + ": Main was not loaded from the launcher's archive");
        }
    }

    /**
     * The runs people time (the demo, a tiny PVH guest) link no minivmm lambda, compile no regular
     * expression and make no annotation proxy: each lambda call site costs ~0.1 ms to link at its
     * first use even when its class is archived, java.util.regex is ~20 classes and ~0.15 MiB that
     * nothing else on the way needs, and the JDK's first annotation proxy ~90 classes and 0.5 MiB
     * (docs/STARTUP.md). A lambda that creeps back onto the start path fails here;
     * write an anonymous or nested class instead (or keep the lambda off the path).
     */
    @Test
    @RequiresKvm
    void theStartPathLinksNoMinivmmLambdaAndNoRegex(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path launcher = archivedLauncher();
        Path pvh = pvhGuest(tmp);
        for (List<String> args : List.of(List.<String>of(), List.of("--kernel", pvh.toString()))) {
            Path log = tmp.resolve("classes-" + args.size() + ".txt");
            List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            underBuildJava(pb);
            pb.environment().put("JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
            Jar.run(pb); // the PVH test guest exits with its own check status
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.stream().anyMatch(l -> l.contains(" io.minivmm.vmm.vcpu.VcpuRunner ")), args + ": no vCPU ran");
            List<String> lambdas = lines.stream().filter(l -> l.contains(" io.minivmm.") && l.contains("$$Lambda")).toList();
            assertTrue(lambdas.isEmpty(), args + ": minivmm lambdas linked on the start path: " + lambdas);
            assertFalse(lines.stream().anyMatch(l -> l.contains(" java.util.regex.Pattern ")),
                    args + ": java.util.regex.Pattern loaded on the start path");
            // JNA's FFIType field order is handed over (JnaFieldOrder), not read from its annotation
            List<String> proxies = lines.stream().filter(l -> l.contains(" jdk.proxy")).toList();
            assertTrue(proxies.isEmpty(), args + ": annotation proxies made on the start path: " + proxies);
        }
    }

    /**
     * A launcher run that reads no resource opens no jar but the two one-file jars of lib/: its
     * classes come from the archive, and the JDK's LoggerFinder lookup (made when java.util.logging
     * starts for JNA) ends there (JulLoggerFinder). Opening vmm.jar reads its 4,000-entry central
     * directory: ~0.5 MiB of heap and ~8 ms.
     */
    @Test
    @RequiresKvm
    void theLauncherNeverOpensItsJarForAGuestFromAFile(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path launcher = archivedLauncher();
        assertOpensOnlyLib(launcher, null, tmp);
    }

    /** Runs {@code launcher} (under the Java at {@code home}, or the PATH's) on the PVH test guest and checks the jars it opened. */
    private static void assertOpensOnlyLib(Path launcher, Path home, Path tmp) throws Exception {
        Path pvh = pvhGuest(tmp);
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--kernel", pvh.toString());
        if (home != null) {
            pb.environment().put("JAVA_HOME", home.toString());
        } else {
            underBuildJava(pb);
        }
        pb.environment().put("JAVA_OPTS", "-Dsun.misc.URLClassPath.debug=true"); // prints each jar it opens
        Jar.Run r = Jar.run(pb);
        List<String> opened = r.err().lines().filter(l -> l.startsWith("Opening ")).toList();
        assertTrue(opened.stream().anyMatch(l -> l.endsWith("/lib/logger-finder.jar")), "no jar opened at all? " + r);
        List<String> others = opened.stream()
                .filter(l -> !l.endsWith("/lib/logger-finder.jar") && !l.endsWith("/lib/logger-finder-2.jar")).toList();
        assertTrue(others.isEmpty(), "opened besides lib/'s two: " + others);
    }

    /**
     * The archive holds every minivmm class the demo's run loads, lambdas included: a lambda
     * whose proxy class is missing from it is spun at run time (~1 ms each, interpreted). Two
     * call sites of the same shape give two identical class-list lines, which merging the
     * training runs' lists must keep; and a serializable lambda (Comparator.comparing's) is never
     * archived.
     */
    @Test
    @RequiresKvm
    void theDemoThroughTheLauncherLoadsEveryMinivmmClassFromTheArchive(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path launcher = archivedLauncher();
        Path log = tmp.resolve("classes.txt");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString());
        underBuildJava(pb);
        pb.environment().put("JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
        Jar.Run r = Jar.run(pb);
        assertEquals(0, r.status(), r.toString());
        List<String> outside = Files.readAllLines(log).stream()
                .filter(l -> l.contains(" io.minivmm.") && !l.contains("source: shared objects file"))
                .toList();
        assertTrue(outside.isEmpty(), "loaded from outside the archive: " + outside);
        assertTrue(Files.readString(log).contains("io.minivmm.vmm.machine.ResourceAllocator source: shared objects file"),
                "the run built a machine");
    }

    @Test
    @RequiresKvm
    void theLauncherUnderJava25StartsWithoutTheArchiveAndQuietly() throws Exception {
        Path home = requireJava25();
        Path launcher = Jar.jar().resolveSibling("vmm");
        // The archive was made by the build's Java 17: the launcher must not hand it to Java 25
        // (which would refuse it with a warning) and must still start.
        ProcessBuilder pb = new ProcessBuilder(launcher.toString());
        pb.environment().put("JAVA_HOME", home.toString());
        pb.environment().remove("JAVA_OPTS");
        assertQuiet(Jar.run(pb));
    }

    /**
     * A build whose JDK is 25 writes a launcher that trains and uses its own archive under that
     * Java, and prints nothing but the guest (the archive is dumped with the launcher's module
     * options: Java 25 refuses an archive whose --enable-native-access differs, noisily).
     */
    @Test
    @RequiresKvm
    void aLauncherMadeByJava25UsesItsArchiveQuietly(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path home = requireJava25();
        Files.copy(Jar.jar(), tmp.resolve("vmm.jar"));
        Path script = Path.of("src/launcher/make-launcher.sh").toAbsolutePath();
        Jar.Run made = Jar.run(new ProcessBuilder("sh", script.toString(), tmp.toString(), home.toString()),
                new byte[0], java.time.Duration.ofMinutes(3));
        assertEquals(0, made.status(), made.toString());
        assertTrue(made.outText().contains("with class-data-sharing archive"), made.toString());
        Path log = tmp.resolve("classes.txt");
        ProcessBuilder pb = new ProcessBuilder(tmp.resolve("vmm").toString());
        pb.environment().put("JAVA_HOME", home.toString());
        pb.environment().put("JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
        assertQuiet(Jar.run(pb));
        assertTrue(Files.readString(log).contains("io.minivmm.vmm.Main source: shared objects file"),
                "Main was not loaded from the Java 25 archive");
        // Java 25 makes a System.Logger at every exit: the JDK then asks for a second LoggerFinder
        assertOpensOnlyLib(tmp.resolve("vmm"), home, tmp);
    }

    @Test
    @RequiresKvm
    void theDemoOnATerminalUnderJava25PrintsNoWarning() throws Exception {
        // On a terminal the console sets raw mode through jnr (jffi), whose Unsafe use would warn.
        Path home = requireJava25();
        Assumptions.assumeTrue(Jar.onPath("script"), "'script' is not installed (Debian: apt-get install bsdutils)");
        List<String> cmd = new ArrayList<>(Jar.command());
        cmd.set(0, home.resolve("bin/java").toString());
        Jar.Run r = Jar.run(List.of("script", "-qec", Jar.shell(cmd), "/dev/null"));
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.outText().contains("minivmm demo guest: hello from 64-bit long mode"), r.toString());
        assertFalse(r.outText().contains("WARNING"), "no JVM warning on the terminal: " + r);
    }

    /** The launcher the build wrote, absolute; the test is skipped when the build wrote no archive. */
    private static Path archivedLauncher() {
        Path launcher = Jar.jar().resolveSibling("vmm").toAbsolutePath();
        Assumptions.assumeTrue(Files.exists(launcher.resolveSibling("vmm.jsa")),
                "the build wrote no archive (no usable /dev/kvm for its training run)");
        return launcher;
    }

    /** The PVH test guest (guest module), copied into {@code dir}. */
    private static Path pvhGuest(Path dir) throws IOException {
        Path pvh = dir.resolve("pvh.elf");
        try (java.io.InputStream in = QuietStartIT.class.getResourceAsStream("/guests/pvh.elf")) {
            assertNotNull(in, "guests/pvh.elf missing from the test classpath");
            Files.write(pvh, in.readAllBytes());
        }
        return pvh;
    }

    /** Makes the launcher find the Java that runs this build (the one its archive was made with). */
    private static void underBuildJava(ProcessBuilder pb) {
        pb.environment().remove("JAVA_HOME");
        pb.environment().put("PATH", Path.of(Jar.java()).getParent() + ":" + System.getenv("PATH"));
    }

    private static void assertQuiet(Jar.Run r) {
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.outText().startsWith(DEMO_FIRST_LINE), r.toString());
        assertEquals("", r.err(), "stderr must be empty: " + r);
    }

    /** The Java 25 home, or the test is skipped with the reason. */
    private static Path requireJava25() throws IOException {
        Path home = java25().orElse(null);
        Assumptions.assumeTrue(home != null,
                "no Java 25 JDK: set -Dminivmm.java25=JAVA_HOME or install one under /usr/lib/jvm");
        return home;
    }

    /** A JDK whose {@code release} file says JAVA_VERSION 25 or later. */
    static Optional<Path> java25() throws IOException {
        String prop = System.getProperty("minivmm.java25");
        if (prop != null && !prop.isEmpty()) return Optional.of(Path.of(prop));
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) return Optional.empty();
        try (Stream<Path> s = Files.list(jvms)) {
            return s.sorted().filter(QuietStartIT::isJava25OrLater).findFirst();
        }
    }

    private static boolean isJava25OrLater(Path home) {
        try {
            if (!Files.isExecutable(home.resolve("bin/java"))) return false;
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=\"")) {
                    String v = line.substring("JAVA_VERSION=\"".length());
                    int end = 0;
                    while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
                    return end > 0 && Integer.parseInt(v.substring(0, end)) >= 25;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
