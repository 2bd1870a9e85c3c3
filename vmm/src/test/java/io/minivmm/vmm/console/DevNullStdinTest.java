package io.minivmm.vmm.console;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConsoleSession#isDevNull}: a stdin of /dev/null gets no input thread; anything else does. */
class DevNullStdinTest {
    @Test
    void devNullThroughAnFdLinkIsRecognised(@TempDir Path dir) throws Exception {
        assertTrue(ConsoleSession.isDevNull(Path.of("/dev/null")));
        long before = openFds();
        try (FileInputStream in = new FileInputStream("/dev/null")) {
            Path link = newestFdTo("/dev/null");
            assertTrue(ConsoleSession.isDevNull(link), link + " is an open /dev/null");
        }
        Path f = Files.writeString(dir.resolve("in.txt"), "input");
        try (FileInputStream in = new FileInputStream(f.toFile())) {
            assertFalse(ConsoleSession.isDevNull(newestFdTo(f.toString())), "a file has input");
        }
        assertFalse(ConsoleSession.isDevNull(Path.of("/dev/zero")));
        assertFalse(ConsoleSession.isDevNull(dir.resolve("missing")));
        assertTrue(openFds() <= before + 1);
    }

    private static Path newestFdTo(String target) throws Exception {
        Path best = null;
        int bestN = -1;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(p).toString().equals(target)) {
                        int n = Integer.parseInt(p.getFileName().toString());
                        if (n > bestN) { bestN = n; best = p; }
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own fd
                }
            }
        }
        assertNotNull(best, "an fd open on " + target);
        return best;
    }

    private static long openFds() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
