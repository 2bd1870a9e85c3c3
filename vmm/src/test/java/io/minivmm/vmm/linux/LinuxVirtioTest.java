package io.minivmm.vmm.linux;

import static io.minivmm.vmm.linux.LinuxImages.assertInOrder;
import static io.minivmm.vmm.linux.LinuxImages.tail;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.VmBuilder;
import io.minivmm.vmm.storage.DiskSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtio kernel of shared/images ({@code linux-virtio.vmlinux}, PVH) with its root file
 * system on virtio-blk: an ext2 image built here with {@code mke2fs -d}. Each run stops at
 * {@code Run /sbin/init as init process} (past that this host breaks user-mode system calls).
 * Three boots, ~15 s each, with the assertions combined: 1 vCPU read-write; 2 vCPUs read-write
 * with virtio-rng and the console on virtio-console (hvc0); 1 vCPU read-only.
 */
@RequiresKvm
class LinuxVirtioTest {
    static final String CMDLINE_TAIL = " reboot=k panic=-1 noxsave clearcpuid=popcnt,smap,erms,fsrm percpu_alloc=page root=/dev/vda";
    static final String INIT = "Run /sbin/init as init process";
    static final Pattern CRNG = Pattern.compile("\\[\\s*(\\d+\\.\\d+)\\] random: crng init done");
    static Path images;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findImages() {
        images = LinuxImages.sharedImages();
        assumeTrue(images != null && Files.isRegularFile(images.resolve("linux-virtio.vmlinux")),
                "linux-virtio.vmlinux not found (need <repo>/../shared/images or /work/shared/images)");
    }

    /** A 16 MiB ext2 image whose root holds /sbin/init (never run here) and a marker file. */
    Path buildRoot(String name) throws Exception {
        Path dir = tmp.resolve(name + "-root");
        Files.createDirectories(dir.resolve("sbin"));
        Files.createDirectories(dir.resolve("dev"));
        Files.writeString(dir.resolve("sbin/init"), "#!/bin/sh\necho INIT-REACHED\n");
        dir.resolve("sbin/init").toFile().setExecutable(true);
        Files.writeString(dir.resolve("hello.txt"), "minivmm virtio-blk\n");
        Path img = tmp.resolve(name + ".ext2");
        Process p;
        try {
            p = new ProcessBuilder("mke2fs", "-q", "-F", "-t", "ext2", "-d", dir.toString(), img.toString(), "16M")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "mke2fs (e2fsprogs) is not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "mke2fs failed: " + out);
        return img;
    }

    /** s_mnt_count: the superblock is at byte 1024, the count at offset 52 (le16). */
    static int mountCount(Path img) throws IOException {
        byte[] b = Files.readAllBytes(img);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(1024 + 52) & 0xffff;
    }

    static RunResult boot(VmBuilder b, int cpus, String console, boolean rw) throws Exception {
        return b.kernel(images.resolve("linux-virtio.vmlinux"))
                .cmdline("console=" + console + CMDLINE_TAIL + (rw ? " rw" : " ro"))
                .memory(64 << 20)
                .cpus(cpus)
                .expect(Pattern.compile(Pattern.quote(INIT)))
                .timeout(Duration.ofSeconds(150))
                .build()
                .run();
    }

    static Double crngTime(String s) {
        Matcher m = CRNG.matcher(s);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    static void assertMounted(RunResult r, int cpus, boolean readOnly) {
        String s = r.serialText();
        assertEquals(Outcome.EXPECT_MATCHED, r.outcome(), r.message() + "\n" + tail(s, 3000));
        assertInOrder(s, 0, "virtio_blk virtio0: [vda] 32768 512-byte logical blocks",
                "VFS: Mounted root (ext2 filesystem)" + (readOnly ? " readonly" : " on device"), INIT);
        if (s.contains("smp: Brought up")) assertTrue(s.contains("smp: Brought up 1 node, " + cpus + " CPU"), tail(s, 3000));
    }

    @Test
    void rootOnVirtioBlkReadWriteOneCpuThenTwoCpusWithRngOnVirtioConsole() throws Exception {
        Path img = buildRoot("rw");
        assertEquals(0, mountCount(img));

        RunResult plain = boot(Vm.builder().disk(new DiskSpec(img, DiskSpec.Interface.VIRTIO, false)), 1, "ttyS0", true);
        assertMounted(plain, 1, false);
        assertInOrder(plain.serialText(), 0, "Linux version 6.1.192", "smp: Brought up 1 node, 1 CPU",
                "virtio-mmio: Registering device virtio-mmio.0 at 0x");
        assertEquals(1, mountCount(img), "the mount's superblock update reached the file");
        Double crngWithout = crngTime(plain.serialText());

        // Console on virtio-console: ttyS0 is no console, so every line below came through hvc0.
        RunResult hvc = boot(Vm.builder().disk(new DiskSpec(img, DiskSpec.Interface.VIRTIO, false)).rng(true)
                .virtioConsole(true), 2, "hvc0", true);
        String s = hvc.serialText();
        assertMounted(hvc, 2, false);
        assertFalse(s.contains("Linux version"), "ttyS0 must not be a console here:\n" + tail(s, 2000));
        Double crngWith = crngTime(s);
        assertTrue(crngWith != null, "virtio-rng: no 'random: crng init done' before init:\n" + tail(s, 3000));
        assertTrue(crngWithout == null || crngWith < crngWithout,
                "crng init done at " + crngWith + " s with --rng, " + crngWithout + " s without");
        assertEquals(2, mountCount(img));
    }

    @Test
    void readOnlyRootLeavesTheImageByteForByteUnchanged() throws Exception {
        Path img = buildRoot("ro");
        byte[] before = Files.readAllBytes(img);
        RunResult r = boot(Vm.builder().disk(new DiskSpec(img, DiskSpec.Interface.VIRTIO, true)), 1, "ttyS0", false);
        assertMounted(r, 1, true);
        assertArrayEquals(before, Files.readAllBytes(img), "a read-only disk was written");
    }
}
