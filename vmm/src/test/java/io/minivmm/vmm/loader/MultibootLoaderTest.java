package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minivmm.vmm.loader.Images.Seg;
import org.junit.jupiter.api.Test;

class MultibootLoaderTest {
    static final long MIB = 1 << 20;

    static byte[] elf32(long flags) {
        return Images.elf(false, 0x100020, Images.mb1Header(flags),
                Seg.load(0x100000, 0x100000, Images.fill(0x800, 4), 0x2000));
    }

    /** A flat binary: 0x40 bytes of code, the header at file offset 0x40, loaded at 0x200000. */
    static byte[] aout(long loadEnd, long bssEnd, long entry) {
        byte[] img = Images.fill(0x1000, 8);
        byte[] h = Images.mb1Header(0x10003, 0x200040, 0x200000, loadEnd, bssEnd, entry);
        System.arraycopy(h, 0, img, 0x40, h.length);
        return img;
    }

    @Test
    void elf32KernelWithInfoStructure() throws Exception {
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        byte[] initrd = Images.fill(3000, 6);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, elf32(0x3), ram, LoadOptions.cmdline("kernel -v").withInitrd(initrd, "initrd.img"));
        assertEquals(ImageFormat.MULTIBOOT, plan.format());
        assertEquals(CpuMode.PROTECTED, plan.mode());
        assertEquals(0x100020, plan.entry());
        assertEquals(0x2BADB002L, plan.registers().rax());
        assertEquals(Layout.BOOT_INFO, plan.registers().rbx());
        assertArrayEquals(Images.fill(0x800, 4), ram.read(0x100000, 0x800));

        long mbi = Layout.BOOT_INFO;
        long flags = ram.u32(mbi);
        assertEquals(1 | 4 | 8 | 64 | 512, flags);
        assertEquals(639, ram.u32(mbi + 4));
        assertEquals(63 * 1024, ram.u32(mbi + 8));
        assertEquals("kernel -v", ram.cstring(ram.u32(mbi + 16)));
        assertEquals(1, ram.u32(mbi + 20));
        long mods = ram.u32(mbi + 24);
        long start = ram.u32(mods);
        assertEquals(start + 3000, ram.u32(mods + 4));
        assertEquals(0, start % 4096);
        assertArrayEquals(initrd, ram.read(start, 3000));
        assertEquals("initrd.img", ram.cstring(ram.u32(mods + 8)));
        assertEquals(3 * 24, ram.u32(mbi + 44));
        long mmap = ram.u32(mbi + 48);
        assertEquals(20, ram.u32(mmap));
        assertEquals(0, ram.u64(mmap + 4));
        assertEquals(0x9fc00, ram.u64(mmap + 12));
        assertEquals(1, ram.u32(mmap + 20));
        assertEquals(2, ram.u32(mmap + 24 + 20));
        assertEquals("minivmm", ram.cstring(ram.u32(mbi + 64)));
    }

    @Test
    void elf64WithMultibootHeaderLoadsByPhysicalAddress() throws Exception {
        byte[] img = Images.elf(true, 0xffffffff80100010L, Images.mb1Header(0),
                Seg.load(0xffffffff80100000L, 0x100000, Images.fill(0x400, 1), 0x400));
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, ram, LoadOptions.none());
        assertEquals(0x100010, plan.entry(), "e_entry translated to its physical address");
        assertArrayEquals(Images.fill(0x400, 1), ram.read(0x100000, 0x400));
        assertEquals(1 | 8 | 64 | 512, ram.u32(Layout.BOOT_INFO));
    }

    @Test
    void aoutKludge() throws Exception {
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, aout(0x200800, 0x203000, 0x200080), ram, LoadOptions.none());
        assertEquals(0x200080, plan.entry());
        byte[] img = aout(0x200800, 0x203000, 0x200080);
        assertArrayEquals(java.util.Arrays.copyOfRange(img, 0, 0x800), ram.read(0x200000, 0x800));
        BootPlan.Region r = Expect.region(plan, "kernel (address fields)");
        assertEquals(0x3000, r.size());
        assertEquals(0x800, r.written());

        plan = KernelLoader.load(ImageFormat.AUTO, aout(0, 0, 0x200080), FakeGuestRam.of(16 * MIB), LoadOptions.none());
        assertEquals(0x1000, Expect.region(plan, "kernel (address fields)").size(), "load_end_addr 0: whole file");
    }

    @Test
    void aoutKludgeLies() {
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, aout(0x300000, 0, 0x200080), ram, LoadOptions.none()),
                "load_end_addr 0x300000", "past end of file");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, aout(0x200800, 0x200400, 0x200080), ram, LoadOptions.none()),
                "bss_end_addr 0x200400");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, aout(0x200800, 0, 0x500000), ram, LoadOptions.none()),
                "entry_addr 0x500000");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, aout(0x1ff000, 0, 0x200080), ram, LoadOptions.none()),
                "load_end_addr 0x1ff000");
        byte[] img = Images.fill(0x1000, 8);
        byte[] h = Images.mb1Header(0x10000, 0x200040, 0x100000, 0, 0, 0x100000);
        System.arraycopy(h, 0, img, 0x40, h.length);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, img, ram, LoadOptions.none()),
                "header_addr 0x200040 - load_addr 0x100000 exceeds");
        byte[] low = aout(0, 0, 0x200080);
        System.arraycopy(Images.mb1Header(0x10000, 0x540, 0x500, 0, 0, 0x500), 0, low, 0x40, 32);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, low, ram, LoadOptions.none()),
                "overlaps real-mode IVT/BDA");
    }

    @Test
    void requiredFlagsThatCannotBeHonouredAreRefused() {
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf32(0x7), ram, LoadOptions.none()),
                "bit 2 (video mode)");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, elf32(0x83), ram, LoadOptions.none()),
                "bit 7");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.MULTIBOOT, Images.concat(Images.mb1Header(0), new byte[64]), ram,
                LoadOptions.none()), "bit 16", "not ELF");
    }

    @Test
    void elf64SegmentAbove4GIsRefused() {
        byte[] img = Images.elf(true, 0x100000, Images.mb1Header(0), Seg.load(0x100000, new byte[16]),
                Seg.load(0x1_0000_0000L, new byte[16]));
        Expect.imageError(() -> KernelLoader.load(ImageFormat.AUTO, img, FakeGuestRam.of(5L << 30), LoadOptions.none()),
                "multiboot: PT_LOAD[1] p_paddr 0x100000000", "beyond 4 GiB");
    }

    @Test
    void optionalFlagsAreIgnored() throws Exception {
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, elf32(0x00f0_0003L), FakeGuestRam.of(16 * MIB), LoadOptions.none());
        assertEquals(0x100020, plan.entry());
    }

    /** A module file is streamed into RAM in chunks at commit, byte for byte. */
    @Test
    void aModuleFileIsStreamedIntoGuestRam(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        byte[] content = Images.fill(3 * ModuleSource.CHUNK + 5, 9);
        java.nio.file.Path f = dir.resolve("initrd.img");
        java.nio.file.Files.write(f, content);
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        KernelLoader.load(ImageFormat.AUTO, elf32(0x3), ram, LoadOptions.none().withInitrd(ModuleSource.of(f), "initrd.img"));
        long mods = ram.u32(Layout.BOOT_INFO + 24);
        long start = ram.u32(mods), end = ram.u32(mods + 4);
        assertEquals(content.length, end - start);
        assertArrayEquals(content, ram.read(start, content.length));
    }

    @Test
    void aModuleFileLargerThanRamIsRefusedBeforeItIsRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("huge.img");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(3L << 30);
        }
        ImageException e = org.junit.jupiter.api.Assertions.assertThrows(ImageException.class, () -> KernelLoader.load(
                ImageFormat.AUTO, elf32(0x3), FakeGuestRam.of(64 * MIB), LoadOptions.none().withInitrd(ModuleSource.of(f), "x")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("no room") && e.getMessage().contains(String.valueOf(3L << 30)), e.getMessage());
    }
}
