package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.loader.Images.Seg;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElfAndBootSectorTest {
    static final long MIB = 1 << 20;
    static final long HIGH = 0xffffffff80000000L;

    @Test
    void higherHalfElf64GetsLinearMappings() throws Exception {
        byte[] img = Images.elf(true, HIGH + 0x200100, null,
                Seg.load(HIGH + 0x200000, 0x200000, Images.fill(0x1800, 1), 0x1800),
                Seg.load(HIGH + 0x202000, 0x202000, Images.fill(0x100, 2), 0x3000),
                Seg.load(0x400000, Images.fill(0x10, 3)));
        assertEquals(ImageFormat.ELF, ImageFormat.detect(img));
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, img, ram, LoadOptions.none());
        assertEquals(CpuMode.LONG, plan.mode());
        assertEquals(HIGH + 0x200100, plan.entry());
        assertEquals(HIGH + 0x200100, plan.registers().rip());
        assertEquals(List.of(new BootPlan.LinearMapping(HIGH + 0x200000, 0x200000, 0x2000),
                new BootPlan.LinearMapping(HIGH + 0x202000, 0x202000, 0x3000)), plan.mappings(), "identity segment needs none");
        assertArrayEquals(Images.fill(0x1800, 1), ram.read(0x200000, 0x1800));
        assertArrayEquals(new byte[0x2f00], ram.read(0x202100, 0x2f00));
    }

    @Test
    void elf64Refusals() {
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, 0x200000, null,
                Seg.load(HIGH + 0x200000, 0x200000, new byte[16], 16)), ram, LoadOptions.none()), "e_entry 0x200000", "virtual range");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, 0x200000, null,
                Seg.load(0x200000, 0x200000, new byte[0x2000], 0x2000), Seg.load(0x300000, 0x201000, new byte[16], 16)),
                ram, LoadOptions.none()), "PT_LOAD[1]", "overlaps PT_LOAD[0]");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, 0x200000, null,
                Seg.load(0x200000, 0x200000, new byte[0x2000], 0x2000), Seg.load(0x201000, 0x400000, new byte[16], 16)),
                ram, LoadOptions.none()), "overlap in virtual memory");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, HIGH + 0x200000, null,
                Seg.load(HIGH + 0x200000, 0x200800, new byte[16], 16)), ram, LoadOptions.none()), "page offset");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, 0x0000900000000000L, null,
                Seg.load(0x0000900000000000L, 0x200000, new byte[16], 16)), ram, LoadOptions.none()), "not canonical");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, 0x2000000, null,
                Seg.load(0x2000000, new byte[16])), ram, LoadOptions.none()), "PT_LOAD[0]", "does not fit in guest RAM");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, 0x2000, null,
                Seg.load(0x2000, new byte[16])), ram, LoadOptions.none()), "overlaps vCPU boot area");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.ELF, Images.elf(true, 0x9f000, null,
                Seg.load(0x9f000, new byte[0x1000])), ram, LoadOptions.none()), "overlaps EBDA (MP table)");
    }

    @Test
    void elf32EntersProtectedMode() throws Exception {
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, Images.elf(false, 0x100004, null, Seg.load(0x100000, new byte[64])),
                FakeGuestRam.of(16 * MIB), LoadOptions.none());
        assertEquals(ImageFormat.ELF, plan.format());
        assertEquals(CpuMode.PROTECTED, plan.mode());
        assertEquals(0x100004, plan.entry());
    }

    @Test
    void bootSector() throws Exception {
        byte[] bs = Images.bootSector();
        assertEquals(ImageFormat.BOOTSECTOR, ImageFormat.detect(bs));
        FakeGuestRam ram = FakeGuestRam.of(MIB);
        BootPlan plan = KernelLoader.load(ImageFormat.AUTO, bs, ram, LoadOptions.none());
        assertEquals(CpuMode.REAL, plan.mode());
        assertEquals(0x7c00, plan.entry());
        assertEquals(new BootPlan.BootRegisters(0x7c00, 0, 0, 0x80, 0, 0), plan.registers());
        assertArrayEquals(bs, ram.read(0x7c00, 512));
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BOOTSECTOR, new byte[513], ram, LoadOptions.none()), "513");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.BOOTSECTOR, new byte[512], ram, LoadOptions.none()), "0x0000, not 0x55aa");
    }

    @Test
    void raw() throws Exception {
        FakeGuestRam ram = FakeGuestRam.of(16 * MIB);
        byte[] code = Images.fill(0x300, 4);
        BootPlan plan = KernelLoader.load(ImageFormat.RAW, code, ram, LoadOptions.none().withRaw(0x200000, 0x200010L, CpuMode.LONG));
        assertEquals(CpuMode.LONG, plan.mode());
        assertEquals(0x200010, plan.entry());
        assertArrayEquals(code, ram.read(0x200000, 0x300));

        plan = KernelLoader.load(ImageFormat.RAW, code, FakeGuestRam.of(16 * MIB), LoadOptions.none().withRaw(0x12340, null, CpuMode.REAL));
        assertEquals(0x1000, plan.registers().cs());
        assertEquals(0x2340, plan.registers().rip());
        assertTrue(plan.writes().stream().noneMatch(r -> r.what().startsWith("vCPU")), "real mode reserves no vCPU area");

        Expect.imageError(() -> KernelLoader.load(ImageFormat.RAW, code, ram, LoadOptions.none()), "--load-addr");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.RAW, code, ram,
                LoadOptions.none().withRaw(0x200000, 0x100000L, CpuMode.LONG)), "--entry 0x100000");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.RAW, code, ram,
                LoadOptions.none().withRaw(0xfff00, null, CpuMode.REAL)), "not below 0x100000");
        Expect.imageError(() -> KernelLoader.load(ImageFormat.RAW, code, ram,
                LoadOptions.none().withRaw(0xffffffffffffff00L, null, CpuMode.LONG)), "wraps around");
    }

    @Test
    void detectionFailureListsWhatWasTried() {
        ImageException e = Expect.imageError(() -> { ImageFormat.detect(new byte[100]); return null; },
                "unrecognised image format (size 100)", "bzImage", "Multiboot 2", "Multiboot 1", "ELF", "boot sector", "--format raw");
        assertTrue(e.getMessage().length() < 400);
    }
}
