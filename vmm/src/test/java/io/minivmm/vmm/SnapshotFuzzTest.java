package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.snapshot.Snapshot;
import io.minivmm.vmm.snapshot.SnapshotException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot files that must be refused: corrupted (seeded fuzz over the header, the metadata and
 * the stored pages), truncated, extended, foreign, of another machine configuration. Each is a
 * {@link SnapshotException} (exit 65 on the CLI) with a reason, and nothing of it stays mapped.
 */
@RequiresKvm
class SnapshotFuzzTest {
    static Path dir;
    static byte[] good;
    static Snapshot snap;

    @BeforeAll
    static void takeOne(@TempDir Path tmp) throws Exception {
        dir = tmp;
        try (VmSession s = SnapshotSessionTest.builder().start()) {
            s.expect("ready> ", Duration.ofSeconds(20));
            snap = s.snapshot(dir.resolve("good.snap"));
        }
        good = Files.readAllBytes(snap.path());
    }

    static void assertRefused(byte[] bytes, String what) throws Exception {
        Path f = dir.resolve("bad.snap");
        Files.write(f, bytes);
        SnapshotException e = assertThrows(SnapshotException.class, () -> Snapshot.open(f), what);
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void theGoodFileOpens() {
        Snapshot s = Snapshot.open(snap.path());
        assertEquals(snap.id(), s.id());
        assertEquals(snap.storedBytes(), s.storedBytes());
    }

    @Test
    void seededCorruptionIsAlwaysRefused() throws Exception {
        Random rnd = new Random(13);
        long[] ext = snap.extents();
        int metaOff = (int) (snap.memoryOffset() + snap.memoryLength());
        for (int i = 0; i < 3000; i++) {
            byte[] b = good.clone();
            int kind = rnd.nextInt(5);
            int at;
            switch (kind) {
                case 0 -> at = rnd.nextInt(64); // header
                case 1 -> at = metaOff + rnd.nextInt(good.length - metaOff); // metadata
                case 2 -> { // a stored page
                    int e = rnd.nextInt(ext.length / 2);
                    at = (int) (snap.memoryOffset() + (ext[2 * e] + rnd.nextInt((int) ext[2 * e + 1])) * 4096 + rnd.nextInt(4096));
                }
                case 3 -> { // truncated
                    assertRefused(Arrays.copyOf(b, rnd.nextInt(b.length)), "truncated");
                    continue;
                }
                default -> { // trailing garbage
                    assertRefused(Arrays.copyOf(b, b.length + 1 + rnd.nextInt(8192)), "extended");
                    continue;
                }
            }
            b[at] ^= (byte) (1 + rnd.nextInt(255));
            assertRefused(b, "byte " + at + " changed (case " + i + ")");
        }
        assertFalse(Files.readString(Path.of("/proc/self/maps")).contains(dir.resolve("bad.snap").toString()), "nothing mapped");
    }

    @Test
    void foreignFilesAndVersionsAreRefusedWithAReason() throws Exception {
        assertRefused(new byte[0], "empty");
        assertRefused("#!/bin/sh\necho not a snapshot\n".getBytes(), "a script");
        byte[] v2 = good.clone();
        ByteBuffer.wrap(v2).putInt(8, 2);
        Path f = dir.resolve("v2.snap");
        Files.write(f, v2);
        SnapshotException e = assertThrows(SnapshotException.class, () -> Snapshot.open(f));
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
    }

    @Test
    void anotherConfigurationIsRefused() throws Exception {
        SnapshotException mem = assertThrows(SnapshotException.class, () -> Vm.builder().memory(64 << 20).restore(snap).close());
        assertTrue(mem.getMessage().contains("bytes"), mem.getMessage());
        SnapshotException cpus = assertThrows(SnapshotException.class, () -> Vm.builder().cpus(2).restore(snap).close());
        assertTrue(cpus.getMessage().contains("cpus"), cpus.getMessage());
        assertEquals(0, SnapshotSessionTest.mapsOf(snap.path()), "nothing mapped");
        // A part the snapshot lacks: the machine without a debug-exit port has different parts.
        try (VmSession s = SnapshotSessionTest.builder().debugExit(io.minivmm.vmm.devices.DebugExit.Mode.OFF).start()) {
            s.expect("ready> ", Duration.ofSeconds(20));
            SnapshotException parts = assertThrows(SnapshotException.class, () -> s.reset(snap));
            assertTrue(parts.getMessage().contains("debug-exit"), parts.getMessage());
        }
    }

    @Test
    void theCliExits65WithOneLine() throws Exception {
        byte[] b = good.clone();
        b[70000 % b.length] ^= 1;
        Path f = dir.resolve("cli.snap");
        Files.write(f, Arrays.copyOf(good, good.length / 2));
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int status;
        try {
            status = Main.run("--restore", f.toString(), "--timeout", "5s");
        } finally {
            System.setErr(err);
        }
        assertEquals(65, status, buf.toString());
        assertTrue(buf.toString().contains("truncated"), buf.toString());
        assertEquals(1, buf.toString().strip().lines().count(), buf.toString());
        assertEquals(64, Main.run("--restore", snap.path().toString(), "--kernel", snap.path().toString()));
        assertEquals(65, Main.run("--restore", snap.path().toString(), "--mem", "64M"));
    }
}
