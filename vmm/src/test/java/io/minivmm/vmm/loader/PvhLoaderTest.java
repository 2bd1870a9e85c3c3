package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minivmm.vmm.loader.Images.Seg;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PvhLoaderTest {
    static final long MIB = 1 << 20;

    static byte[] image(boolean is64, long entry, boolean wideNote) {
        long base = is64 ? 0xffffffff81000000L : 0x200000;
        return Images.elf(is64, base, null,
                Seg.load(base, 0x200000, Images.fill(0x3000, 5), 0x5000),
                Seg.note(Images.concat(Images.note("GNU", 3, new byte[20]), Images.pvhNote(entry, wideNote))),
                Seg.load(base + 0x100000, 0x300000, Images.fill(0x100, 7), 0x100));
    }

    @Test
    void loadsElf64ByPhysicalAddressAndBuildsStartInfo() throws Exception {
        byte[] img = image(true, 0x200040, true);
        assertEquals(ImageFormat.PVH, ImageFormat.detect(img));
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        byte[] initrd = Images.fill(7000, 2);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, ram, LoadOptions.cmdline("root=x").withInitrd(initrd, "rd"));
        assertEquals(ImageFormat.PVH, plan.format());
        assertEquals(CpuMode.PROTECTED, plan.mode());
        assertEquals(0x200040, plan.entry());
        assertEquals(Layout.BOOT_INFO, plan.registers().rbx());
        assertArrayEquals(Images.fill(0x3000, 5), ram.read(0x200000, 0x3000));
        assertArrayEquals(new byte[0x2000], ram.read(0x203000, 0x2000));
        assertArrayEquals(Images.fill(0x100, 7), ram.read(0x300000, 0x100));

        long si = Layout.BOOT_INFO;
        assertEquals(0x336ec578L, ram.u32(si));
        assertEquals(1, ram.u32(si + 4));
        assertEquals(1, ram.u32(si + 12), "nr_modules");
        long modlist = ram.u64(si + 16);
        assertEquals(Layout.CMDLINE, ram.u64(si + 24));
        assertEquals("root=x", ram.cstring(Layout.CMDLINE));
        assertEquals(0, ram.u64(si + 32), "rsdp");
        long memmap = ram.u64(si + 40);
        assertEquals(3, ram.u32(si + 48));
        long mod = ram.u64(modlist);
        assertEquals(7000, ram.u64(modlist + 8));
        assertArrayEquals(initrd, ram.read(mod, initrd.length));
        assertEquals(0, mod % 4096);
        assertEquals(0x100000, ram.u64(memmap + 48));
        assertEquals(63 * MIB, ram.u64(memmap + 56));
        assertEquals(1, ram.u32(memmap + 64));
        assertEquals(0x9fc00, ram.u64(memmap + 24));
        assertEquals(2, ram.u32(memmap + 40));
    }

    @Test
    void loadsElf32WithFourByteNote() throws Exception {
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, image(false, 0x200010, false), ram, LoadOptions.none());
        assertEquals(0x200010, plan.entry());
        assertEquals(0, ram.u32(Layout.BOOT_INFO + 12), "no modules");
        assertEquals(0, ram.u64(Layout.BOOT_INFO + 24), "no cmdline");
    }

    @Test
    void refusals() {
        Expect.imageError(() -> KernelLoader.load(ImageFormat.PVH, image(true, 0x900000, true), FakeGuestRam.of(64 * MIB),
                LoadOptions.none()), "PVH", "XEN_ELFNOTE_PHYS32_ENTRY 0x900000", "not inside any PT_LOAD");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.PVH, image(true, 0x1_0000_0000L, true), FakeGuestRam.of(64 * MIB),
                LoadOptions.none()), "above 4 GiB");
        byte[] plain = Images.elf(true, 0x200000, null, Seg.load(0x200000, new byte[16]));
        Expect.imageError(() -> KernelLoader.load(ImageFormat.PVH, plain, FakeGuestRam.of(64 * MIB), LoadOptions.none()),
                "no Xen note");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.PVH, image(true, 0x200040, true), FakeGuestRam.of(0x280000),
                LoadOptions.none()), "kernel PT_LOAD[2]", "does not fit in guest RAM");
    }

    @Test
    void realLinuxVmlinux() throws Exception {
        Path dir = Images.realImages();
        io.minivmm.vmm.ExternalFiles.assume(dir != null, "real images not found (need <repo>/../shared/images or /work/shared/images)");
        byte[] img = KernelLoader.readImage(dir.resolve("linux-tiny.vmlinux"));
        assertEquals(ImageFormat.PVH, ImageFormat.detect(img));
        FakeGuestRam ram = FakeGuestRam.of(256 * MIB);
        byte[] initrd = KernelLoader.readImage(dir.resolve("initramfs-tiny.cpio"));
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, ram, LoadOptions.cmdline("console=ttyS0").withInitrd(initrd, null));
        assertEquals(0x1000500, plan.entry());
        assertEquals(CpuMode.PROTECTED, plan.mode());
        assertEquals(Layout.BOOT_INFO, plan.registers().rbx());
        // first PT_LOAD: file offset 0x200000 -> paddr 0x1000000
        assertArrayEquals(Arrays.copyOfRange(img, 0x200000, 0x201000), ram.read(0x1000000, 0x1000));
        assertEquals(0x336ec578L, ram.u32(Layout.BOOT_INFO));
        assertEquals(initrd.length, ram.u64(ram.u64(Layout.BOOT_INFO + 16) + 8));
        BootPlan.Region last = Expect.region(plan, "kernel PT_LOAD[3]");
        assertEquals(0x18c0000 + 0x156000, last.end());
        assertEquals(0x82000, last.written());
    }
}
