package io.minivmm.vmm.linux;

import static io.minivmm.vmm.linux.LinuxImages.FAST_CMDLINE;
import static io.minivmm.vmm.linux.LinuxImages.assertInOrder;
import static io.minivmm.vmm.linux.LinuxImages.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real Linux 6.1.192 of shared/images (see its README) through the library API, from the
 * first console line to the reset, asserting the README's markers in order.
 *
 * <p>Where the host runs guest user mode (any host with hardware virtualisation), init prints
 * {@code INIT-REACHED} and {@code cpus=N} and reboots; on the nested CI host, SYSCALL from user mode
 * never reaches the guest kernel, so init segfaults and the kernel panics and resets
 * ({@code reboot=k panic=-1}). The first ends in a RESET with exit status 0; the second is a
 * guest panic, and the run says so: GUEST_PANIC, status 123, however the kernel then resets. The
 * test accepts either path and asserts every marker and the outcome of the one taken.
 *
 * <p>Times on the CI host (2 cores, nested): ~20 s per PVH boot and ~25-30 s from the bzImage
 * (its LZ4 decompression runs emulated) when the machine is idle; 51 s and 60 s measured with a
 * load average of 7 from other jobs. The timeouts (150 s, 180 s) leave room for that load.
 */
@RequiresKvm
class LinuxBootTest {
    static Path images;

    @BeforeAll
    static void findImages() {
        images = LinuxImages.sharedImages();
        io.minivmm.vmm.ExternalFiles.assume(images != null, "real images not found (need <repo>/../shared/images or /work/shared/images)");
    }

    static RunResult boot(String kernel, int cpus, Duration timeout) throws Exception {
        return Vm.builder()
                .kernel(images.resolve(kernel))
                .initrd(images.resolve("initramfs-tiny.cpio"))
                .cmdline(FAST_CMDLINE)
                .memory(64 << 20)
                .cpus(cpus)
                .timeout(timeout)
                .build()
                .run();
    }

    static void assertBootsToReset(RunResult r, int cpus) {
        String s = r.serialText();
        int at = assertInOrder(s, 0, "Linux version 6.1.192",
                "smp: Brought up 1 node, " + cpus + (cpus == 1 ? " CPU" : " CPUs"),
                // Issue 5: the 8250 driver takes over COM1 as a 16550A on IRQ 4 (interrupt-driven, not polled).
                "serial8250: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A",
                "Run /init as init process");
        if (s.indexOf("INIT-REACHED", at) >= 0) {
            assertInOrder(s, at, "INIT-REACHED", "cpus=" + cpus);
            assertEquals(Outcome.RESET, r.outcome(), r.message() + "\n" + tail(s, 2000));
            assertEquals(0, r.exitStatus());
        } else {
            assertInOrder(s, at, "init[1]: segfault at ffffffff81200040",
                    "Kernel panic - not syncing: Attempted to kill init!");
            // Issue 9 item 17: a panic is never a success, even though the kernel then resets.
            assertEquals(Outcome.GUEST_PANIC, r.outcome(), r.message() + "\n" + tail(s, 2000));
            assertEquals(123, r.exitStatus());
            assertTrue(r.message().contains("Attempted to kill init!") && r.message().contains("reset"), r.message());
        }
    }

    @Test
    void pvhOneCpu() throws Exception {
        assertBootsToReset(boot("linux-tiny.vmlinux", 1, Duration.ofSeconds(150)), 1);
    }

    /**
     * Needs an MP table (the kernel has no ACPI): without one Linux prints "smpboot: SMP disabled",
     * brings up only the boot CPU, and this test fails at the "2 CPUs" marker. It passes once Vm
     * writes the MP table (and hides PV send-IPI / sched-yield, as the default CPU model does).
     */
    @Test
    void pvhTwoCpus() throws Exception {
        assertBootsToReset(boot("linux-tiny.vmlinux", 2, Duration.ofSeconds(150)), 2);
    }

    @Test
    void bzImageOneCpu() throws Exception {
        assertBootsToReset(boot("linux-tiny.bzImage", 1, Duration.ofSeconds(180)), 1);
    }
}
