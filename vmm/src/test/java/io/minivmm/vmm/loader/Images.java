package io.minivmm.vmm.loader;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.minivmm.vmm.loader.ImageBytes.put16;
import static io.minivmm.vmm.loader.ImageBytes.put32;
import static io.minivmm.vmm.loader.ImageBytes.put64;

/** Builders for synthetic test images, and the path to the real ones. */
final class Images {
    private Images() {
    }

    /** One program header for {@link #elf}. */
    record Seg(long type, long vaddr, long paddr, byte[] data, long memsz, long align) {
        static Seg load(long vaddr, long paddr, byte[] data, long memsz) {
            return new Seg(ElfFile.PT_LOAD, vaddr, paddr, data, memsz, 0x1000);
        }

        static Seg load(long addr, byte[] data) {
            return load(addr, addr, data, data.length);
        }

        static Seg note(byte[] notes) {
            return new Seg(ElfFile.PT_NOTE, 0, 0, notes, 0, 4);
        }
    }

    static byte[] fill(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return b;
    }

    /**
     * An ELF executable: header, program headers, then each segment's data at a 16-aligned offset,
     * after {@code prefix} bytes placed right after the program headers (e.g. a Multiboot header).
     */
    static byte[] elf(boolean is64, long entry, byte[] prefix, Seg... segs) {
        int ehsize = is64 ? 64 : 52;
        int phent = is64 ? 56 : 32;
        int phoff = ehsize;
        int pos = phoff + phent * segs.length;
        int prefixOff = (pos + 7) & ~7;
        pos = prefixOff + (prefix == null ? 0 : prefix.length);
        long[] offs = new long[segs.length];
        for (int i = 0; i < segs.length; i++) {
            pos = (pos + 15) & ~15;
            offs[i] = pos;
            pos += segs[i].data().length;
        }
        byte[] b = new byte[pos];
        b[0] = 0x7f;
        b[1] = 'E';
        b[2] = 'L';
        b[3] = 'F';
        b[4] = (byte) (is64 ? 2 : 1);
        b[5] = 1;
        b[6] = 1;
        put16(b, 16, 2);
        put16(b, 18, is64 ? ElfFile.EM_X86_64 : ElfFile.EM_386);
        put32(b, 20, 1);
        if (is64) {
            put64(b, 24, entry);
            put64(b, 32, phoff);
            put16(b, 52, ehsize);
            put16(b, 54, phent);
            put16(b, 56, segs.length);
        } else {
            put32(b, 24, entry);
            put32(b, 28, phoff);
            put16(b, 40, ehsize);
            put16(b, 42, phent);
            put16(b, 44, segs.length);
        }
        if (prefix != null) {
            System.arraycopy(prefix, 0, b, prefixOff, prefix.length);
        }
        for (int i = 0; i < segs.length; i++) {
            Seg s = segs[i];
            int p = phoff + i * phent;
            long memsz = s.type() == ElfFile.PT_NOTE ? s.data().length : s.memsz();
            if (is64) {
                put32(b, p, s.type());
                put32(b, p + 4, 5);
                put64(b, p + 8, offs[i]);
                put64(b, p + 16, s.vaddr());
                put64(b, p + 24, s.paddr());
                put64(b, p + 32, s.data().length);
                put64(b, p + 40, memsz);
                put64(b, p + 48, s.align());
            } else {
                put32(b, p, s.type());
                put32(b, p + 4, offs[i]);
                put32(b, p + 8, s.vaddr());
                put32(b, p + 12, s.paddr());
                put32(b, p + 16, s.data().length);
                put32(b, p + 20, memsz);
                put32(b, p + 24, 5);
                put32(b, p + 28, s.align());
            }
            System.arraycopy(s.data(), 0, b, (int) offs[i], s.data().length);
        }
        return b;
    }

    /** An ELF note: namesz, descsz, type, name (4-padded), desc (4-padded). */
    static byte[] note(String name, long type, byte[] desc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] n = (name + "\0").getBytes();
        byte[] h = new byte[12];
        put32(h, 0, n.length);
        put32(h, 4, desc.length);
        put32(h, 8, type);
        out.writeBytes(h);
        out.writeBytes(n);
        out.writeBytes(new byte[(4 - n.length % 4) % 4]);
        out.writeBytes(desc);
        out.writeBytes(new byte[(4 - desc.length % 4) % 4]);
        return out.toByteArray();
    }

    static byte[] pvhNote(long entry, boolean wide) {
        byte[] d = new byte[wide ? 8 : 4];
        if (wide) {
            put64(d, 0, entry);
        } else {
            put32(d, 0, entry);
        }
        return note("Xen", 18, d);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A Multiboot 1 header (12 bytes, or 32 with the address fields). */
    static byte[] mb1Header(long flags, long... addr) {
        byte[] h = new byte[(flags & (1 << 16)) != 0 ? 32 : 12];
        put32(h, 0, MultibootLoader.MAGIC);
        put32(h, 4, flags);
        put32(h, 8, -(MultibootLoader.MAGIC + flags));
        for (int i = 0; i < addr.length && 12 + 4 * i < h.length; i++) {
            put32(h, 12 + 4 * i, addr[i]);
        }
        return h;
    }

    /** A Multiboot 2 header around {@code tags} (each already 8-aligned); the end tag is added. */
    static byte[] mb2Header(byte[]... tags) {
        byte[] body = concat(concat(tags), mb2Tag(0, 0));
        byte[] h = new byte[16];
        put32(h, 0, Multiboot2Loader.MAGIC);
        put32(h, 4, 0);
        put32(h, 8, 16 + body.length);
        put32(h, 12, -(Multiboot2Loader.MAGIC + 16 + body.length));
        return concat(h, body);
    }

    /** A Multiboot 2 header tag with u32 fields, padded to 8 bytes. */
    static byte[] mb2Tag(int type, int flags, long... u32s) {
        int size = 8 + 4 * u32s.length;
        byte[] t = new byte[(size + 7) & ~7];
        put16(t, 0, type);
        put16(t, 2, flags);
        put32(t, 4, size);
        for (int i = 0; i < u32s.length; i++) {
            put32(t, 8 + 4 * i, u32s[i]);
        }
        return t;
    }

    /** A synthetic bzImage: setup_sects 4, protocol {@code version}, {@code kernel} after the setup. */
    static byte[] bzImage(int version, boolean relocatable, long prefAddress, int xloadflags, long initSize, byte[] kernel) {
        byte[] b = new byte[5 * 512 + kernel.length];
        b[0x1f1] = 4;
        put32(b, 0x1f4, (kernel.length + 15) / 16);
        put16(b, 0x1fe, 0xaa55);
        b[0x200] = (byte) 0xeb;
        b[0x201] = 0x6a;
        put32(b, 0x202, BzImageLoader.HDRS);
        put16(b, 0x206, version);
        put16(b, 0x1fa, 0xffff);
        b[0x211] = 1;
        put32(b, 0x214, 0x100000);
        put32(b, 0x22c, 0x7fffffff);
        put32(b, 0x230, 0x200000);
        b[0x234] = (byte) (relocatable ? 1 : 0);
        put16(b, 0x236, xloadflags);
        put32(b, 0x238, 0x7ff);
        put64(b, 0x258, prefAddress);
        put32(b, 0x260, initSize);
        System.arraycopy(kernel, 0, b, 5 * 512, kernel.length);
        return b;
    }

    static byte[] bootSector() {
        byte[] b = fill(512, 3);
        b[510] = 0x55;
        b[511] = (byte) 0xaa;
        return b;
    }

    /** {@code <repo>/../shared/images} (the CI layout) or /work/shared/images; null if neither exists. */
    static Path realImages() {
        Path here = Path.of("").toAbsolutePath();
        List<Path> candidates = new ArrayList<>();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(".git")) || Files.isRegularFile(p.resolve(".git"))) {
                candidates.add(p.resolveSibling("shared").resolve("images"));
                break;
            }
        }
        candidates.add(Path.of("/work/shared/images"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve("linux-tiny.bzImage"))) {
                return c;
            }
        }
        return null;
    }
}
