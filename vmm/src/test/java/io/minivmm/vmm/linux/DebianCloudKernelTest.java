package io.minivmm.vmm.linux;

import static io.minivmm.vmm.linux.LinuxImages.FAST_CMDLINE;
import static io.minivmm.vmm.linux.LinuxImages.assertInOrder;
import static io.minivmm.vmm.linux.LinuxImages.tail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
 * the kernel starts and its early console shows the version, the command line and KVM; with four
 * vCPUs, it takes its CPUs from the ACPI MADT (the kernel has CONFIG_ACPI): the RSDP found by
 * the standard scan, the tables listed, the I/O APIC and the IRQ 0 override parsed, and no
 * ACPI error or warning (a run with one stops as soon as it prints).
 *
 * <p>On the nested CI host everything at CPL0 is emulated, so this kernel is slow: decompressing
 * and relocating it takes ~1.5 min of CPU, and its boot reaches {@code x86/fpu: x87 FPU will use
 * FXSAVE} (the int3 self-test, which minivmm completes) only after ~150 s more (see
 * docs/BENCHMARKS-linux.md). To keep CI short the test stops at the first markers after the
 * decompressor ({@code earlyprintk} prints them at once instead of when ttyS0 registers), ending
 * with {@code smpboot: Allowing 4 CPUs}, still early in {@code setup_arch}. (The DSDT is loaded
 * later, in {@code acpi_early_init}, beyond the CI budget: iasl checks it in AcpiPartTest.)
 * The test downloads nothing: scripts/fetch-debian-kernel.sh (run by .ci/run) does. Without the
 * kernel the test is skipped with the reason, or fails under {@code -Dminivmm.requireImages=true}.
 */
@RequiresKvm
class DebianCloudKernelTest {
    @Test
    void debianCloudKernelStartsAndFindsItsCpusInTheMadt() throws Exception {
        Path images = LinuxImages.sharedImages();
        io.minivmm.vmm.ExternalFiles.assume(images != null, "real images not found (need <repo>/../shared/images or /work/shared/images)");
        LinuxImages.Fetched k = LinuxImages.debianCloudKernel();
        io.minivmm.vmm.ExternalFiles.assume(k.kernel() != null, k.whyNot());

        RunResult r = Vm.builder()
                .kernel(k.kernel())
                .initrd(images.resolve("initramfs-tiny.cpio"))
                .cmdline("earlyprintk=ttyS0,115200 " + FAST_CMDLINE)
                .memory(256 << 20)
                .cpus(4)
                .expect(Pattern.compile("smpboot: Allowing \\d+ CPUs, \\d+ hotplug CPUs"))
                // Not "[Firmware Bug]": the kernel prints "TSC doesn't count with P0 frequency" on this host's CPU, ACPI or not.
                .failOn(Pattern.compile("ACPI (BIOS )?(Error|Warning)"))
                .timeout(Duration.ofSeconds(480)) // setup_arch up to the MADT adds ~15 s of emulated kernel time to the old stop
                .build()
                .run();
        String s = r.serialText();
        assertInOrder(s, 0, "Linux version 6.1.0-", "-cloud-amd64 (debian-kernel@lists.debian.org)",
                "Command line: earlyprintk=ttyS0,115200 console=ttyS0", "Clearing CPUID bits: popcnt smap",
                "BIOS-provided physical RAM map:", "Hypervisor detected: KVM",
                "ACPI: RSDP 0x", "(v02 MINIVM)", "ACPI: XSDT 0x", "ACPI: FACP 0x", "ACPI: DSDT 0x", "ACPI: APIC 0x",
                "ACPI: LAPIC_NMI (acpi_id[0xff] dfl dfl lint[0x1])", "IOAPIC[0]: apic_id 4, version 17, address 0xfec00000, GSI 0-23",
                "ACPI: INT_SRC_OVR (bus 0 bus_irq 0 global_irq 0 dfl dfl)",
                "ACPI: Using ACPI (MADT) for SMP configuration information", "smpboot: Allowing 4 CPUs, 0 hotplug CPUs");
        assertFalse(s.contains("ACPI Error") || s.contains("ACPI BIOS Error") || s.contains("ACPI Warning"), tail(s, 4000));
        assertEquals(Outcome.EXPECT_MATCHED, r.outcome(), r.message() + "\n" + tail(s, 2000));
        assertEquals(0, r.exitStatus());
    }
}
