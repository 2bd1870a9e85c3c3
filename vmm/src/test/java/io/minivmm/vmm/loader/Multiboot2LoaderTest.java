package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minivmm.vmm.loader.Images.Seg;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Multiboot2LoaderTest {
    static final long MIB = 1 << 20;
    static final int OPT = 1;

    static byte[] elf(byte[]... tags) {
        return Images.elf(false, 0x100010, Images.mb2Header(tags), Seg.load(0x100000, 0x100000, Images.fill(0x600, 3), 0x1000));
    }

    /** Reads the info tags: type -> offset of the tag in guest memory. */
    static Map<Integer, Long> tags(FakeGuestRam ram) {
        Map<Integer, Long> out = new HashMap<>();
        long total = ram.u32(Layout.BOOT_INFO);
        long pos = Layout.BOOT_INFO + 8;
        while (pos < Layout.BOOT_INFO + total) {
            int type = (int) ram.u32(pos);
            out.put(type, pos);
            if (type == 0) {
                assertEquals(8, ram.u32(pos + 4));
                assertEquals(Layout.BOOT_INFO + total, pos + 8, "end tag closes the structure");
                break;
            }
            pos += (ram.u32(pos + 4) + 7) & ~7;
        }
        return out;
    }

    @Test
    void elfKernelWithBootInformation() throws Exception {
        byte[] img = elf(Images.mb2Tag(1, 0, 1, 3, 4, 6), Images.mb2Tag(6, 0), Images.mb2Tag(5, OPT, 1024, 768, 32),
                Images.mb2Tag(4, OPT, 3), Images.mb2Tag(1, OPT, 8, 14));
        assertEquals(ImageFormat.MULTIBOOT, ImageFormat.detect(img));
        FakeGuestRam ram = FakeGuestRam.of(32 * MIB);
        byte[] initrd = Images.fill(5000, 9);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, ram, LoadOptions.cmdline("hello world").withInitrd(initrd, "rd.img"));
        assertEquals(0x36d76289L, plan.registers().rax());
        assertEquals(Layout.BOOT_INFO, plan.registers().rbx());
        assertEquals(0x100010, plan.entry());
        assertEquals(CpuMode.PROTECTED, plan.mode());
        assertArrayEquals(Images.fill(0x600, 3), ram.read(0x100000, 0x600));

        Map<Integer, Long> t = tags(ram);
        assertEquals(Layout.BOOT_INFO + 8, t.get(1), "cmdline first");
        for (long pos : t.values()) {
            assertEquals(0, pos % 8, "8-byte aligned tags");
        }
        assertEquals("hello world", ram.cstring(t.get(1) + 8));
        assertEquals("minivmm", ram.cstring(t.get(2) + 8));
        long mod = t.get(3);
        long start = ram.u32(mod + 8);
        assertEquals(start + 5000, ram.u32(mod + 12));
        assertEquals("rd.img", ram.cstring(mod + 16));
        assertArrayEquals(initrd, ram.read(start, 5000));
        assertEquals(639, ram.u32(t.get(4) + 8));
        assertEquals(31 * 1024, ram.u32(t.get(4) + 12));
        long mmap = t.get(6);
        assertEquals(16 + 3 * 24, ram.u32(mmap + 4));
        assertEquals(24, ram.u32(mmap + 8));
        assertEquals(0, ram.u32(mmap + 12));
        assertEquals(0x100000, ram.u64(mmap + 16 + 48));
        assertEquals(31 * MIB, ram.u64(mmap + 16 + 56));
        assertEquals(1, ram.u32(mmap + 16 + 64));
    }

    @Test
    void addressAndEntryTags() throws Exception {
        // flat binary: header at 0x20, loaded at 0x300000 from file offset 0
        byte[] hdr = Images.mb2Header(Images.mb2Tag(2, 0, 0x300020, 0x300000, 0x300400, 0x302000), Images.mb2Tag(3, 0, 0x300100));
        byte[] img = Images.fill(0x800, 2);
        System.arraycopy(hdr, 0, img, 0x20, hdr.length);
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.MULTIBOOT, img, ram, LoadOptions.none());
        assertEquals(0x300100, plan.entry());
        assertArrayEquals(java.util.Arrays.copyOf(img, 0x400), ram.read(0x300000, 0x400));
        assertEquals(0x2000, Expect.region(plan, "kernel (address fields)").size());
        assertEquals(-1L, tags(ram).getOrDefault(1, -1L), "no cmdline tag without a cmdline");

        byte[] minus1 = Images.mb2Header(Images.mb2Tag(2, 0, 0x300020, 0xffffffffL, 0, 0), Images.mb2Tag(3, 0, 0x300100));
        System.arraycopy(minus1, 0, img, 0x20, minus1.length);
        plan = KernelLoader.load(ImageFormat.MULTIBOOT, img, FakeGuestRam.of(16 * MIB), LoadOptions.none());
        assertEquals(0x300000, Expect.region(plan, "kernel (address fields)").gpa(), "load_addr -1: from the file start");
    }

    @Test
    void entryTagOverridesElfEntry() throws Exception {
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(3, 0, 0x100200)), FakeGuestRam.of(16 * MIB), LoadOptions.none());
        assertEquals(0x100200, plan.entry());
    }

    @Test
    void preferredOverMultiboot1() throws Exception {
        byte[] img = Images.elf(false, 0x100010, Images.concat(Images.mb2Header(), Images.mb1Header(0)),
                Seg.load(0x100000, new byte[0x100]));
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, FakeGuestRam.of(16 * MIB), LoadOptions.none());
        assertEquals(0x36d76289L, plan.registers().rax());
    }

    @Test
    void refusesWhatItCannotHonour() {
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(1, 0, 1, 8)), ram, LoadOptions.none()),
                "information tag 8 (framebuffer info)");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(5, 0, 1024, 768, 32)), ram, LoadOptions.none()),
                "header tag 5 (framebuffer) is not optional");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(7, 0)), ram, LoadOptions.none()),
                "EFI boot services");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(9, 0, 0x100000)), ram, LoadOptions.none()),
                "EFI amd64 entry address");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(4, 0, 1)), ram, LoadOptions.none()),
                "console flags");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(77, 0)), ram, LoadOptions.none()),
                "header tag 77 (unknown)");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(3, 0, 0x900000)), ram, LoadOptions.none()),
                "entry_addr 0x900000");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf(Images.mb2Tag(10, 0, 0x200000, 0x100000, 4096, 0)), ram,
                LoadOptions.none()), "min_addr 0x200000 is above max_addr");
        byte[] arch = elf();
        int h = Multiboot2Loader.findHeader(arch);
        ImageBytes.put32(arch, h + 4, 4);
        ImageBytes.put32(arch, h + 12, ImageBytes.le32(arch, h + 12) - 4);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, arch, ram, LoadOptions.none()), "architecture 4");
        byte[] noEnd = elf(Images.mb2Tag(6, 0));
        int h2 = Multiboot2Loader.findHeader(noEnd);
        ImageBytes.put32(noEnd, h2 + 8, 24);
        ImageBytes.put32(noEnd, h2 + 12, -(Multiboot2Loader.MAGIC + 24));
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, noEnd, ram, LoadOptions.none()), "no end tag");
        byte[] bigTag = elf(Images.mb2Tag(6, 0));
        ImageBytes.put32(bigTag, Multiboot2Loader.findHeader(bigTag) + 20, 0x1000);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, bigTag, ram, LoadOptions.none()), "size 4096");
    }

    /** Xen carries both headers: multiboot (auto) takes version 2, multiboot1 / multiboot2 pick one. */
    @Test
    void formatPicksOneHeaderOfADualHeaderImage() throws Exception {
        byte[] mb1 = java.util.Arrays.copyOf(Images.mb1Header(0x3), 16); // padded so the v2 header stays 8-aligned
        byte[] dual = Images.elf(false, 0x100010, Images.concat(mb1, Images.mb2Header()),
                Seg.load(0x100000, 0x100000, Images.fill(0x600, 3), 0x1000));
        assertTrue(MultibootLoader.findHeader(dual) >= 0 && Multiboot2Loader.findHeader(dual) >= 0, "both headers");
        assertEquals(0x36d76289L, KernelLoader.load(ImageFormat.AUTO, dual, FakeGuestRam.of(64 * MIB), null).registers().rax());
        assertEquals(0x36d76289L, KernelLoader.load(ImageFormat.MULTIBOOT, dual, FakeGuestRam.of(64 * MIB), null).registers().rax());
        assertEquals(0x36d76289L, KernelLoader.load(ImageFormat.parse("multiboot2"), dual, FakeGuestRam.of(64 * MIB), null)
                .registers().rax());
        assertEquals(0x2BADB002L, KernelLoader.load(ImageFormat.parse("multiboot1"), dual, FakeGuestRam.of(64 * MIB), null)
                .registers().rax());
        // each forced version refuses an image without its header
        ImageException e = assertThrows(ImageException.class,
                () -> KernelLoader.load(ImageFormat.MULTIBOOT1, elf(), FakeGuestRam.of(64 * MIB), null));
        assertTrue(e.getMessage().contains("0x1badb002"), e.getMessage());
        assertThrows(ImageException.class, () -> KernelLoader.load(ImageFormat.MULTIBOOT2,
                MultibootLoaderTest.elf32(0x3), FakeGuestRam.of(64 * MIB), null));
    }
}
