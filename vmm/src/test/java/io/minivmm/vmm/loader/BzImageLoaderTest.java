package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BzImageLoaderTest {
    static final long MIB = 1 << 20;
    static final byte[] KERNEL = Images.fill(8192, 9);

    static byte[] image64() {
        return Images.bzImage(0x20f, false, 0x1000000, 0x3, 0x200000, KERNEL);
    }

    @Test
    void loads64BitKernelWithZeroPageCmdlineAndInitrd() throws Exception {
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        byte[] initrd = Images.fill(10000, 1);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, image64(), ram,
                LoadOptions.cmdline("console=ttyS0").withInitrd(initrd, "x"));

        assertEquals(ImageFormat.BZIMAGE, plan.format());
        assertEquals(CpuMode.LONG, plan.mode());
        assertEquals(0x100200, plan.entry());
        assertEquals(0x100200, plan.registers().rip());
        assertEquals(Layout.BOOT_INFO, plan.registers().rsi());
        assertArrayEquals(KERNEL, ram.read(0x100000, KERNEL.length));

        long zp = Layout.BOOT_INFO;
        assertEquals(BzImageLoader.HDRS, ram.u32(zp + 0x202));
        assertEquals(0x20f, ram.u16(zp + 0x206));
        assertEquals(0xff, ram.u8(zp + 0x210));
        assertEquals(0x81, ram.u8(zp + 0x211));
        assertEquals(0xfe00, ram.u16(zp + 0x224));
        assertEquals(Layout.CMDLINE, ram.u32(zp + 0x228));
        assertEquals("console=ttyS0", ram.cstring(Layout.CMDLINE));
        assertEquals(4, ram.u8(zp + 0x1f1));
        // only the header (0x1f1 .. 0x202 + 0x6a) is copied: nothing before, nothing after
        assertTrue(Arrays.equals(new byte[0x1e8], ram.read(zp, 0x1e8)));
        assertEquals(0, ram.u32(zp + 0x26c));

        long rd = ram.u32(zp + 0x218);
        assertEquals(10000, ram.u32(zp + 0x21c));
        assertEquals((64 * MIB - 10000) & ~0xfffL, rd);
        assertArrayEquals(initrd, ram.read(rd, initrd.length));

        assertEquals(3, ram.u8(zp + 0x1e8));
        long[][] e820 = {{0, 0x9fc00, 1}, {0x9fc00, 0x100000 - 0x9fc00, 2}, {0x100000, 63 * MIB, 1}};
        for (int i = 0; i < 3; i++) {
            assertEquals(e820[i][0], ram.u64(zp + 0x2d0 + 20 * i));
            assertEquals(e820[i][1], ram.u64(zp + 0x2d0 + 20 * i + 8));
            assertEquals(e820[i][2], ram.u32(zp + 0x2d0 + 20 * i + 16));
        }
        assertEquals(List.of(new BootPlan.E820Entry(0, 0x9fc00, 1), new BootPlan.E820Entry(0x9fc00, 0x100000 - 0x9fc00, 2),
                new BootPlan.E820Entry(0x100000, 63 * MIB, 1)), plan.e820());
        BootPlan.Region init = Expect.region(plan, "kernel init_size");
        assertEquals(0x1000000, init.gpa());
        assertTrue(init.reserved());
        assertTrue(plan.mappings().isEmpty());
    }

    @Test
    void relocatableKernelGoesToAlignedPrefAddress() throws Exception {
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.BZIMAGE,
                Images.bzImage(0x20f, true, 0x1100000, 0x1, 0x100000, KERNEL), ram, LoadOptions.none());
        assertEquals(0x1200000 + 0x200, plan.entry());
        assertArrayEquals(KERNEL, ram.read(0x1200000, KERNEL.length));
        assertEquals(0, ram.u32(Layout.BOOT_INFO + 0x228), "no cmdline");
    }

    @Test
    void relocatableKernelWithoutPrefAddressIsAlignedAbove1MiB() throws Exception {
        BootPlan plan = KernelLoader.load(ImageFormat.BZIMAGE, Images.bzImage(0x206, true, 0x1000000, 0x1, 0, KERNEL),
                FakeGuestRam.of(64 * MIB), LoadOptions.none());
        assertEquals(0x200000, plan.entry(), "protocol 2.06: no pref_address, no xloadflags (32-bit entry)");
        assertEquals(CpuMode.PROTECTED, plan.mode());
    }

    @Test
    void kernelWithout64BitEntryStartsIn32BitProtectedMode() throws Exception {
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, Images.bzImage(0x20a, false, 0, 0, 0, KERNEL), ram, LoadOptions.none());
        assertEquals(CpuMode.PROTECTED, plan.mode());
        assertEquals(0x100000, plan.entry());
        assertEquals(Layout.BOOT_INFO, plan.registers().rsi());
    }

    @Test
    void initrdRespectsInitrdAddrMaxAnd4GLimit() throws Exception {
        byte[] img = image64();
        ImageBytes.put16(img, 0x236, 1); // XLF_KERNEL_64 only: initrd below initrd_addr_max and 4 GiB
        ImageBytes.put32(img, 0x22c, 0x37ffffff);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, FakeGuestRam.withHole(5L << 30),
                LoadOptions.none().withInitrd(new byte[5000], null));
        assertEquals(0x38000000L - 0x2000, Expect.region(plan, "initrd").gpa());

        ImageBytes.put32(img, 0x22c, 0xffffffffL);
        plan = KernelLoader.load(ImageFormat.AUTO, img, FakeGuestRam.of(6L << 30), LoadOptions.none().withInitrd(new byte[5000], null));
        assertEquals(Layout.FOUR_GIB - 0x2000, Expect.region(plan, "initrd").gpa());

        plan = KernelLoader.load(ImageFormat.AUTO, img, FakeGuestRam.withHole(5L << 30), LoadOptions.none().withInitrd(new byte[5000], null));
        assertEquals(0xC000_0000L - 0x2000, Expect.region(plan, "initrd").gpa(), "below the hole");
    }

    @Test
    void initrdAbove4GWhenAllowed() throws Exception {
        FakeGuestRam ram = FakeGuestRam.withHole(5L << 30);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, image64(), ram, LoadOptions.none().withInitrd(new byte[5000], null));
        long at = Expect.region(plan, "initrd").gpa();
        assertEquals(ram.ramRanges().get(1)[1] - 0x2000, at);
        assertEquals(at & 0xffffffffL, ram.u32(Layout.BOOT_INFO + 0x218));
        assertEquals(at >>> 32, ram.u32(Layout.BOOT_INFO + 0xc0));
    }

    @Test
    void refusals() {
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, Images.bzImage(0x205, false, 0, 0, 0, KERNEL),
                FakeGuestRam.of(64 * MIB), LoadOptions.none()), "bzImage", "2.05", "too old");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, image64(), FakeGuestRam.of(64 * MIB),
                LoadOptions.cmdline("x".repeat(0x800))), "cmdline_size 2047");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, image64(), FakeGuestRam.of(64 * MIB),
                LoadOptions.none().withInitrd(new byte[(int) (60 * MIB)], null)), "no room", "initrd");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, image64(), FakeGuestRam.of(0x101000),
                LoadOptions.none()), "kernel", "does not fit in guest RAM");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, image64(), FakeGuestRam.of(0x1100000),
                LoadOptions.none()), "kernel init_size", "does not fit in guest RAM");
        byte[] zimage = image64();
        zimage[0x211] = 0;
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, zimage, FakeGuestRam.of(64 * MIB), LoadOptions.none()),
                "LOADED_HIGH");
        byte[] align = Images.bzImage(0x20f, true, 0x1000000, 1, 0, KERNEL);
        ImageBytes.put32(align, 0x230, 0x3000);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, align, FakeGuestRam.of(64 * MIB), LoadOptions.none()),
                "kernel_alignment 0x3000");
        byte[] sects = image64();
        sects[0x1f1] = (byte) 200;
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, sects, FakeGuestRam.of(64 * MIB), LoadOptions.none()),
                "bzImage: setup_sects 200 extends past end of file (size " + sects.length + ")");
    }

    @Test
    void failedLoadLeavesRamUntouched() {
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BZIMAGE, image64(), ram,
                LoadOptions.none().withInitrd(new byte[(int) (62 * MIB)], null)), "initrd");
        assertTrue(ram.untouched());
    }

    @Test
    void realLinuxBzImage() throws Exception {
        Path dir = Images.realImages();
        io.minivmm.vmm.ExternalFiles.assume(dir != null, "real images not found (need <repo>/../shared/images or /work/shared/images)");
        byte[] img = KernelLoader.readImage(dir.resolve("linux-tiny.bzImage"));
        byte[] initrd = KernelLoader.readImage(dir.resolve("initramfs-tiny.cpio.gz"));
        assertEquals(ImageFormat.BZIMAGE, ImageFormat.detect(img));
        FakeGuestRam ram = FakeGuestRam.of(256 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, ram,
                LoadOptions.cmdline("console=ttyS0 reboot=k panic=-1").withInitrd(initrd, "initramfs-tiny.cpio.gz"));
        assertEquals(0x20f, ram.u16(Layout.BOOT_INFO + 0x206), "boot protocol 2.15");
        assertEquals(CpuMode.LONG, plan.mode());
        assertEquals(0x100200, plan.entry());
        int setup = (img[0x1f1] + 1) * 512;
        assertArrayEquals(Arrays.copyOfRange(img, setup, setup + 4096), ram.read(0x100000, 4096));
        BootPlan.Region init = Expect.region(plan, "kernel init_size");
        assertEquals(0x1000000 + 0xdae000, init.end());
        long rd = ram.u32(Layout.BOOT_INFO + 0x218);
        assertEquals(initrd.length, ram.u32(Layout.BOOT_INFO + 0x21c));
        assertTrue(rd + initrd.length <= 0x80000000L && rd + initrd.length <= 256 * MIB);
        assertArrayEquals(Arrays.copyOfRange(img, 0x1f1, 0x210), ram.read(Layout.BOOT_INFO + 0x1f1, 0x210 - 0x1f1));
        assertEquals("console=ttyS0 reboot=k panic=-1", ram.cstring(Layout.CMDLINE));
    }

    /** iPXE's ipxe.lkrn: protocol 2.07, LOADED_HIGH, code32_start 0, compressed bytes after the setup. */
    @Test
    void aRealModeOnlyImageIsRefusedWithTheReason() {
        byte[] lkrn = Images.bzImage(0x207, false, 0, 0, 0, KERNEL);
        ImageBytes.put32(lkrn, 0x214, 0);
        ImageException e = assertThrows(ImageException.class,
                () -> KernelLoader.load(ImageFormat.AUTO, lkrn, FakeGuestRam.of(64 * MIB), LoadOptions.none()));
        assertTrue(e.getMessage().contains("no protected-mode entry") && e.getMessage().contains("2.07"), e.getMessage());
        // with a 64-bit entry, code32_start does not matter
        byte[] k64 = Images.bzImage(0x20c, false, 0, 0x1, 0, KERNEL);
        ImageBytes.put32(k64, 0x214, 0);
        assertDoesNotThrow(() -> KernelLoader.load(ImageFormat.AUTO, k64, FakeGuestRam.of(64 * MIB), LoadOptions.none()));
    }
}
