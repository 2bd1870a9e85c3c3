package io.minivmm.vmm.linux;

import static io.minivmm.vmm.linux.LinuxImages.FAST_CMDLINE;
import static io.minivmm.vmm.linux.LinuxImages.assertInOrder;
import static io.minivmm.vmm.linux.LinuxImages.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Debian bookworm's cloud kernel (a 14 MB LZ4 bzImage, fetched by scripts/fetch-debian-kernel.sh
 * into the git-ignored images-cache/) boots under minivmm's bzImage loader: the decompressor runs,
 * the kernel starts and its early console shows the version, the command line and KVM.
 *
 * <p>On the nested CI host everything at CPL0 is emulated, so this kernel is slow: decompressing
 * and relocating it takes ~1.5 min of CPU, and its boot reaches {@code x86/fpu: x87 FPU will use
 * FXSAVE} (the int3 self-test, which minivmm completes) only after ~150 s more (see
 * docs/BENCHMARKS-linux.md). To keep CI short the test stops at the first markers after the
 * decompressor ({@code earlyprintk} prints them at once instead of when ttyS0 registers).
 * The test downloads nothing: scripts/fetch-debian-kernel.sh (run by .ci/run) does. Without the
 * kernel the test is skipped with the reason, or fails under {@code -Dminivmm.requireImages=true}.
 */
@RequiresKvm
class DebianCloudKernelTest {
    @Test
    void debianCloudKernelStartsAndDetectsKvm() throws Exception {
        Path images = LinuxImages.sharedImages();
        io.minivmm.vmm.ExternalFiles.assume(images != null, "real images not found (need <repo>/../shared/images or /work/shared/images)");
        LinuxImages.Fetched k = LinuxImages.debianCloudKernel();
        io.minivmm.vmm.ExternalFiles.assume(k.kernel() != null, k.whyNot());

        RunResult r = Vm.builder()
                .kernel(k.kernel())
                .initrd(images.resolve("initramfs-tiny.cpio"))
                .cmdline("earlyprintk=ttyS0,115200 " + FAST_CMDLINE)
                .memory(256 << 20)
                .expect(Pattern.compile("Hypervisor detected: KVM"))
                .timeout(Duration.ofSeconds(360))
                .build()
                .run();
        String s = r.serialText();
        assertInOrder(s, 0, "Linux version 6.1.0-", "-cloud-amd64 (debian-kernel@lists.debian.org)",
                "Command line: earlyprintk=ttyS0,115200 console=ttyS0", "Clearing CPUID bits: popcnt smap",
                "BIOS-provided physical RAM map:", "Hypervisor detected: KVM");
        assertEquals(Outcome.EXPECT_MATCHED, r.outcome(), r.message() + "\n" + tail(s, 2000));
        assertEquals(0, r.exitStatus());
    }
}
