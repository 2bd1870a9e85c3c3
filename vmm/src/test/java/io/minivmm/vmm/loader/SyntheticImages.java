package io.minivmm.vmm.loader;

import io.minivmm.vmm.loader.Images.Seg;
import java.util.LinkedHashMap;
import java.util.Map;

/** One valid synthetic image per loader path, for the malformed-input and fuzz tests. */
final class SyntheticImages {
    private SyntheticImages() {
    }

    static final long HIGH = 0xffffffff80000000L;

    static Map<String, byte[]> all() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("bzimage64", Images.bzImage(0x20f, false, 0x1000000, 0x3, 0x200000, Images.fill(4096, 1)));
        m.put("bzimage-reloc32", Images.bzImage(0x20a, true, 0x1000000, 0, 0x100000, Images.fill(2048, 2)));
        m.put("pvh64", PvhLoaderTest.image(true, 0x200040, true));
        m.put("pvh32", PvhLoaderTest.image(false, 0x200040, false));
        m.put("mb1-elf32", MultibootLoaderTest.elf32(0x3));
        m.put("mb1-aout", MultibootLoaderTest.aout(0x200800, 0x203000, 0x200080));
        m.put("mb2-elf", Multiboot2LoaderTest.elf(Images.mb2Tag(1, 0, 1, 3, 4, 6), Images.mb2Tag(6, 0),
                Images.mb2Tag(5, 1, 1024, 768, 32), Images.mb2Tag(10, 0, 0x100000, 0x1000000, 4096, 1), Images.mb2Tag(3, 0, 0x100010)));
        byte[] hdr = Images.mb2Header(Images.mb2Tag(2, 0, 0x300020, 0x300000, 0x300400, 0x302000), Images.mb2Tag(3, 0, 0x300100));
        byte[] flat = Images.fill(0x800, 2);
        System.arraycopy(hdr, 0, flat, 0x20, hdr.length);
        m.put("mb2-address", flat);
        m.put("elf64-higher-half", Images.elf(true, HIGH + 0x200100, null,
                Seg.load(HIGH + 0x200000, 0x200000, Images.fill(0x1800, 1), 0x1800),
                Seg.load(HIGH + 0x202000, 0x202000, Images.fill(0x100, 2), 0x3000)));
        m.put("elf32", Images.elf(false, 0x100004, null, Seg.load(0x100000, new byte[64])));
        m.put("bootsector", Images.bootSector());
        return m;
    }

    static ImageFormat formatOf(String name) {
        if (name.startsWith("bzimage")) {
            return ImageFormat.BZIMAGE;
        } else if (name.startsWith("pvh")) {
            return ImageFormat.PVH;
        } else if (name.startsWith("mb")) {
            return ImageFormat.MULTIBOOT;
        } else if (name.startsWith("elf")) {
            return ImageFormat.ELF;
        } else if (name.startsWith("bootsector")) {
            return ImageFormat.BOOTSECTOR;
        }
        return ImageFormat.AUTO;
    }
}
