package io.minivmm.vmm.linux;

import static io.minivmm.vmm.linux.LinuxImages.FAST_CMDLINE;
import static io.minivmm.vmm.linux.LinuxImages.assertInOrder;
import static io.minivmm.vmm.linux.LinuxImages.tail;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.snapshot.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small Linux of shared/images snapshotted at "Freeing unused kernel" (the moment init is
 * about to start) with --snapshot-on/--snapshot-and-exit, then restored in a new machine: it
 * continues to "Run /init as init process" and ends the way the unbroken boot does
 * (LinuxBootTest), without booting again, and its printk clock never goes backwards.
 */
@RequiresKvm
class LinuxSnapshotTest {
    static final Pattern STAMP = Pattern.compile("\\[\\s*(\\d+)\\.(\\d{6})\\]");
    static Path images;

    @BeforeAll
    static void findImages() {
        images = LinuxImages.sharedImages();
        assumeTrue(images != null, "real images not found (need <repo>/../shared/images or /work/shared/images)");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void restoredLinuxContinuesToInit(int cpus, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("linux-" + cpus + ".snap");
        RunResult first = Vm.builder()
                .kernel(images.resolve("linux-tiny.vmlinux"))
                .initrd(images.resolve("initramfs-tiny.cpio"))
                .cmdline(FAST_CMDLINE + " printk.time=1") // timestamps: the clock check below
                .memory(64 << 20)
                .cpus(cpus)
                .timeout(Duration.ofSeconds(180))
                .snapshotOn(Pattern.compile("Freeing unused kernel"), file, true)
                .build()
                .run();
        assertEquals(Outcome.STOPPED, first.outcome(), first.message() + "\n" + tail(first.serialText(), 2000));
        assertEquals(0, first.exitStatus());
        String before = first.serialText();
        long stampAtSnapshot = lastStamp(before.substring(0, before.indexOf("Freeing unused kernel")));
        try (Snapshot snap = Snapshot.open(file)) {
            assertEquals(cpus, snap.config().cpus());
            assertTrue(snap.storedBytes() < 64L << 20, "sparse: " + snap);
        }

        RunResult r = Vm.builder().restoreFrom(file).timeout(Duration.ofSeconds(180)).build().run();
        String s = r.serialText();
        assertFalse(s.contains("Linux version"), "a restore does not boot again:\n" + tail(s, 2000));
        int at = assertInOrder(s, 0, "Run /init as init process");
        // It ends the way the unbroken boot does (LinuxBootTest): a reset after init, or on this
        // host, where user mode cannot make system calls, the kernel's panic (status 123).
        if (s.indexOf("INIT-REACHED", at) >= 0) {
            assertInOrder(s, at, "INIT-REACHED", "cpus=" + cpus);
            assertEquals(Outcome.RESET, r.outcome(), r.message() + "\n" + tail(s, 2000));
            assertEquals(0, r.exitStatus());
        } else {
            assertInOrder(s, at, "init[1]: segfault at ffffffff81200040", "Kernel panic - not syncing: Attempted to kill init!");
            assertEquals(Outcome.GUEST_PANIC, r.outcome(), r.message() + "\n" + tail(s, 2000));
            assertEquals(123, r.exitStatus());
        }
        Matcher m = STAMP.matcher(s);
        long prev = stampAtSnapshot;
        int stamps = 0;
        while (m.find()) {
            long t = Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2));
            assertTrue(t >= prev, "printk time went back from " + prev + " to " + t + ":\n" + tail(s, 2000));
            prev = t;
            stamps++;
        }
        assertTrue(stamps > 0 && stampAtSnapshot > 0, "printk timestamps before and after the snapshot");
    }

    /** The last printk timestamp in {@code s} in microseconds, or -1. */
    static long lastStamp(String s) {
        Matcher m = STAMP.matcher(s);
        long last = -1;
        while (m.find()) last = Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2));
        return last;
    }
}
