package io.minivmm.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import io.minivmm.vmm.loader.Images.Seg;
import org.junit.jupiter.api.Test;

/** The detection order documented on {@link ImageFormat}, and the package's boundaries. */
class DetectionTest {
    static final byte[] CODE = new byte[64];

    @Test
    void orderOfDetection() throws Exception {
        byte[] pvh = Images.elf(true, 0x100000, null, Seg.load(0x100000, CODE), Seg.note(Images.pvhNote(0x100000, true)));
        assertEquals(ImageFormat.PVH, ImageFormat.detect(pvh));
        byte[] pvhAndMb1 = Images.elf(true, 0x100000, Images.mb1Header(0), Seg.load(0x100000, CODE),
                Seg.note(Images.pvhNote(0x100000, true)));
        assertEquals(ImageFormat.MULTIBOOT, ImageFormat.detect(pvhAndMb1), "an explicit Multiboot header wins over the PVH note");
        assertEquals(ImageFormat.ELF, ImageFormat.detect(Images.elf(true, 0x100000, null, Seg.load(0x100000, CODE))));
        assertEquals(ImageFormat.ELF, ImageFormat.detect(Images.elf(false, 0x100000, null, Seg.load(0x100000, CODE))));
        assertEquals(ImageFormat.MULTIBOOT, ImageFormat.detect(Images.elf(false, 0x100000, Images.mb2Header(), Seg.load(0x100000, CODE))));

        byte[] bz = Images.bzImage(0x20f, false, 0, 1, 0, new byte[512]);
        System.arraycopy(Images.mb1Header(0), 0, bz, 0x400, 12);
        assertEquals(ImageFormat.BZIMAGE, ImageFormat.detect(bz), "bzImage first: fixed offsets");
        assertEquals(ImageFormat.BOOTSECTOR, ImageFormat.detect(Images.bootSector()), "boot sector last: a weak signature");
    }

    @Test
    void multibootHeadersOnlyWithinTheirWindowsAndAlignment() throws Exception {
        byte[] late = new byte[9000];
        System.arraycopy(Images.mb1Header(0), 0, late, 8192, 12);
        Expect.imageError(() -> { ImageFormat.detect(late); return null; }, "unrecognised");
        byte[] misaligned = new byte[4096];
        System.arraycopy(Images.mb1Header(0), 0, misaligned, 0x102, 12);
        Expect.imageError(() -> { ImageFormat.detect(misaligned); return null; }, "unrecognised");
        byte[] badSum = new byte[4096];
        System.arraycopy(Images.mb1Header(0), 0, badSum, 0x100, 12);
        badSum[0x108]++;
        Expect.imageError(() -> { ImageFormat.detect(badSum); return null; }, "unrecognised");
        byte[] mb2 = new byte[40000];
        byte[] h = Images.mb2Header();
        System.arraycopy(h, 0, mb2, 32768 - 16, h.length);
        assertEquals(ImageFormat.MULTIBOOT, ImageFormat.detect(mb2), "header starts inside the window");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, mb2, FakeGuestRam.of(1 << 24), LoadOptions.none()),
                "header_length 24");
    }

    @Test
    void formatNamesParse() {
        assertEquals(ImageFormat.BZIMAGE, ImageFormat.parse("bzimage"));
        assertEquals(ImageFormat.AUTO, ImageFormat.parse("AUTO"));
    }

    @Test
    void loaderNeverTouchesKvmOrVcpus() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.minivmm.vmm.loader");
        ArchRuleDefinition.noClasses().that().resideInAPackage("io.minivmm.vmm.loader..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minivmm.kvm..", "io.minivmm.vmm.vcpu..", "com.sun.jna..", "jnr..")
                .check(classes);
    }
}
