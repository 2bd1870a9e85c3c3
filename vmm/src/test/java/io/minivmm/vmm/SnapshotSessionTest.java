package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.snapshot.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot, restore and reset with guest/src/asm/snapguest.S, a guest that answers serial input
 * lines from a table it built at boot: booted once, snapshotted at its prompt, then restored
 * and reset many times, each answer compared with what a fresh boot answers to the same line.
 */
@RequiresKvm
class SnapshotSessionTest {
    static final Pattern ANSWER = Pattern.compile("answer: hash=(\\p{XDigit}{16}) sum=(\\p{XDigit}{16}) n=(\\p{XDigit}{16})\r\n");
    static final Duration T = Duration.ofSeconds(20);
    static Path dir;
    static Snapshot ready;

    static byte[] guest() throws IOException {
        try (InputStream in = SnapshotSessionTest.class.getResourceAsStream("/guests/snapguest.bin")) {
            assertNotNull(in, "guest snapguest was not built");
            return in.readAllBytes();
        }
    }

    static VmBuilder builder() throws IOException {
        return Vm.builder().image("snapguest", guest()).raw(0x100000, 0x100000, CpuMode.LONG).memory(32 << 20).timeout(T);
    }

    @BeforeAll
    static void bootOnce(@TempDir Path tmp) throws Exception {
        dir = tmp;
        try (VmSession s = builder().start()) {
            s.expect("ready> ", T);
            ready = s.snapshot(dir.resolve("ready.snap"));
        }
        assertTrue(ready.storedBytes() > 0 && ready.storedBytes() < (1 << 20), "sparse: " + ready);
    }

    @AfterAll
    static void close() {
        if (ready != null) ready.close();
    }

    /** What a fresh boot answers to {@code line}: the answer line and the exit status. */
    static String freshAnswer(String line, int[] status) throws Exception {
        RunResult r = builder().serialInput(new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.US_ASCII))).build().run();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message() + r.serialText());
        Matcher m = ANSWER.matcher(r.serialText());
        assertTrue(m.find(), r.serialText());
        status[0] = r.exitStatus();
        return m.group();
    }

    static String answer(VmSession s, String line) {
        s.send(line + "\n");
        String out = s.expect(ANSWER, T);
        Matcher m = ANSWER.matcher(out);
        assertTrue(m.find(), out);
        return m.group();
    }

    static String expectedFor(String line, String[] fresh, int i, int[][] status) throws Exception {
        if (fresh[i] == null) {
            status[i] = new int[1];
            fresh[i] = freshAnswer(line, status[i]);
        }
        return fresh[i];
    }

    @Test
    void hundredRestoresAnswerLikeFreshBoots() throws Exception {
        String[] fresh = new String[100];
        int[][] status = new int[100][];
        for (int i = 0; i < 100; i++) {
            String line = "question " + i * 7919;
            // A fresh boot for every tenth line; the others must agree with the formula's invariants below.
            String want = i % 10 == 0 ? expectedFor(line, fresh, i, status) : null;
            try (VmSession s = Vm.restore(ready)) {
                String got = answer(s, line);
                assertTrue(got.endsWith("n=0000000000000000\r\n"), got);
                if (want != null) assertEquals(want, got, "restore " + i);
                RunResult r = s.awaitEnd(T);
                assertNotNull(r, "the guest exits after answering");
                assertEquals(Outcome.GUEST_EXIT, r.outcome());
                long hash = Long.parseUnsignedLong(got.substring(13, 29), 16);
                assertEquals((int) (hash & 0x7f), r.exitStatus());
                if (want != null) assertEquals(status[i][0], r.exitStatus());
                assertFalse(s.transcript().contains("snapguest: boot"), "a restore does not boot again");
            }
        }
    }

    @Test
    void resetAnswersLikeFreshBootsWithoutRemapping() throws Exception {
        try (VmSession s = Vm.restore(ready)) {
            long host = s.machine().memory().regions().get(0).mapping().hostAddress();
            assertEquals(1, mapsOf(ready.path()), "RAM is one private mapping of the snapshot file");
            for (int i = 0; i < 100; i++) {
                if (i > 0) s.reset(ready);
                String line = "reset " + i;
                String got = answer(s, line);
                if (i % 25 == 0) {
                    int[] st = new int[1];
                    assertEquals(freshAnswer(line, st), got, "reset " + i);
                    RunResult r = s.awaitEnd(T);
                    assertNotNull(r);
                    assertEquals(st[0], r.exitStatus());
                }
                assertTrue(got.endsWith("n=0000000000000000\r\n"), got);
            }
            assertEquals(host, s.machine().memory().regions().get(0).mapping().hostAddress(), "the same mapping");
            assertEquals(1, mapsOf(ready.path()), "reset maps nothing new");
        }
    }

    @Test
    void resetWhileTheGuestRunsUndoesItsMemoryChanges() throws Exception {
        try (VmSession s = Vm.restore(ready)) {
            String first = answer(s, "keep");
            String second = answer(s, "keep");
            assertTrue(second.endsWith("n=0000000000000001\r\n"), second);
            assertNotEquals(first.substring(0, 50), second.substring(0, 50), "the guest changed its table");
            s.expect("ready> ", T);
            s.reset(ready);
            assertEquals(first, answer(s, "keep"));
        }
    }

    @Test
    void aBootedSessionResetsToItsOwnSnapshot() throws Exception {
        try (VmSession s = builder().start()) {
            s.expect("ready> ", T);
            try (Snapshot snap = s.snapshot()) {
                String a = answer(s, "kk");
                answer(s, "kk");
                s.reset(snap);
                assertEquals(a, answer(s, "kk"));
                s.reset(snap);
                assertEquals(a, answer(s, "kk"));
            }
        }
    }

    @Test
    void diffSnapshotsStoreOnlyWhatChanged() throws Exception {
        try (VmSession s = Vm.restore(ready)) {
            answer(s, "keep");
            s.expect("ready> ", T);
            Snapshot d1 = s.snapshotDiff(dir.resolve("diff1.snap"));
            assertTrue(d1.storedBytes() > 0 && d1.storedBytes() <= 8 * 4096, "a few pages changed: " + d1);
            assertTrue(d1.storedBytes() < ready.storedBytes());
            String next = answer(s, "keep");
            assertTrue(next.endsWith("n=0000000000000001\r\n"), next);
            s.expect("ready> ", T);
            Snapshot d2 = s.snapshotDiff(dir.resolve("diff2.snap"));
            String third = answer(s, "keep");

            // A chain opened from disk: ready <- diff1 <- diff2.
            Snapshot opened = Snapshot.open(d2.path());
            assertEquals(d1.id(), opened.parent().id());
            assertEquals(ready.id(), opened.base().id());
            try (VmSession r = Vm.restore(opened)) {
                assertEquals(third, answer(r, "keep"));
            }
            try (VmSession r = Vm.restore(Snapshot.open(d1.path()))) {
                assertEquals(next, answer(r, "keep"));
            }
            // Reset the same session to each of them.
            s.reset(d1);
            assertEquals(next, answer(s, "keep"));
            s.reset(ready);
            assertTrue(answer(s, "keep").endsWith("n=0000000000000000\r\n"));
            s.reset(d2);
            assertEquals(third, answer(s, "keep"));
        }
    }

    @Test
    void aFullSnapshotOfARestoredSessionResetsExactly() throws Exception {
        try (VmSession s = Vm.restore(ready)) {
            answer(s, "keep");
            s.expect("ready> ", T);
            try (Snapshot later = s.snapshot()) {
                String want = answer(s, "keep");
                answer(s, "keep");
                s.reset(later); // RAM is mapped from ready's file: later must hide ready's bytes where it differs
                assertEquals(want, answer(s, "keep"));
                try (VmSession r = Vm.restore(later)) {
                    assertEquals(want, answer(r, "keep"));
                }
            }
        }
    }

    /** How many mappings of {@code file} this process has (/proc/self/maps). */
    static long mapsOf(Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        return java.nio.file.Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.endsWith(name)).count();
    }
}
