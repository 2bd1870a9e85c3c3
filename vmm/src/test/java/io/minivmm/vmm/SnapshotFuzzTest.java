package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.snapshot.Snapshot;
import io.minivmm.vmm.snapshot.SnapshotException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
        try (VmSession s = SnapshotSessionTest.builder().memory(8 << 20).start()) {
            s.expect("ready> ", Duration.ofSeconds(20));
            snap = s.snapshot(dir.resolve("good.snap"));
        }
        good = Files.readAllBytes(snap.path());
        for (int off = 0; off < good.length; off += 4096) {
            int end = Math.min(good.length, off + 4096);
            for (int i = off; i < end; i++) {
                if (good[i] != 0) {
                    dataBlocks.add(off);
                    break;
                }
            }
        }
    }

    /** The 4 KiB blocks of the good file that hold non-zero bytes: a case writes only those (the rest stays a hole). */
    static final List<Integer> dataBlocks = new ArrayList<>();

    /** Writes {@code b[0, len)} sparsely: the good file's data blocks plus the block at {@code changed} (-1: none). */
    static void writeSparse(Path f, byte[] b, int len, int changed) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            List<Integer> blocks = new ArrayList<>(dataBlocks);
            if (changed >= 0) blocks.add(changed & ~4095);
            for (int off : blocks) {
                int end = Math.min(len, b.length);
                if (off >= end) continue;
                ch.write(ByteBuffer.wrap(b, off, Math.min(4096, end - off)), off);
            }
            if (len > b.length) ch.write(ByteBuffer.wrap(new byte[len - b.length]), b.length);
            ch.truncate(len);
            if (ch.size() < len) ch.write(ByteBuffer.wrap(new byte[1]), len - 1L);
        }
    }

    static void assertRefused(byte[] bytes, String what) throws Exception {
        Path f = dir.resolve("bad.snap");
        Files.write(f, bytes);
        assertRefused(f, what);
    }

    static void assertRefused(Path f, String what) {
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
        byte[] b = good; // mutated in place, one byte at a time, and put back
        Path f = dir.resolve("bad.snap");
        for (int i = 0; i < 3000; i++) {
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
                    writeSparse(f, b, rnd.nextInt(b.length), -1);
                    assertRefused(f, "truncated (case " + i + ")");
                    continue;
                }
                default -> { // trailing bytes
                    writeSparse(f, b, b.length + 1 + rnd.nextInt(8192), -1);
                    assertRefused(f, "extended (case " + i + ")");
                    continue;
                }
            }
            byte was = b[at];
            b[at] ^= (byte) (1 + rnd.nextInt(255));
            writeSparse(f, b, b.length, at);
            b[at] = was;
            assertRefused(f, "byte " + at + " changed (case " + i + ")");
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
        try (VmSession s = SnapshotSessionTest.builder().memory(8 << 20).debugExit(io.minivmm.vmm.devices.DebugExit.Mode.OFF).start()) {
            s.expect("ready> ", Duration.ofSeconds(20));
            SnapshotException parts = assertThrows(SnapshotException.class, () -> s.reset(snap));
            assertTrue(parts.getMessage().contains("debug-exit"), parts.getMessage());
        }
    }

    @Test
    void theCliExits65WithOneLine() throws Exception {
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
