package io.minivmm.vmm.loader;

import java.util.ArrayList;
import java.util.List;

/**
 * A validated view of an ELF32/ELF64 little-endian x86 executable's header and program headers
 * (System V gABI, "ELF Header" and "Program Header"). Section headers are never read.
 */
final class ElfFile {
    /** gABI: PT_LOAD. */
    static final long PT_LOAD = 1;
    /** gABI: PT_NOTE. */
    static final long PT_NOTE = 4;
    /** gABI: e_machine EM_386. */
    static final int EM_386 = 3;
    /** gABI: e_machine EM_X86_64. */
    static final int EM_X86_64 = 62;
    /** gABI: e_phnum escape value PN_XNUM (real count in section header 0). */
    static final int PN_XNUM = 0xffff;
    /** Xen public/elfnote.h: XEN_ELFNOTE_PHYS32_ENTRY, the PVH 32-bit physical entry point. */
    static final long XEN_ELFNOTE_PHYS32_ENTRY = 18;

    record Segment(int index, long type, long offset, long vaddr, long paddr, long filesz, long memsz, long align) {
        String name() {
            return "PT_LOAD[" + index + "]";
        }

        boolean containsVaddr(long a) {
            return Long.compareUnsigned(a, vaddr) >= 0 && Long.compareUnsigned(a - vaddr, memsz) < 0;
        }

        boolean containsPaddr(long a) {
            return Long.compareUnsigned(a, paddr) >= 0 && Long.compareUnsigned(a - paddr, memsz) < 0;
        }
    }

    final ImageBytes img;
    final boolean is64;
    final int machine;
    final long entry;
    final List<Segment> segments;

    private ElfFile(ImageBytes img, boolean is64, int machine, long entry, List<Segment> segments) {
        this.img = img;
        this.is64 = is64;
        this.machine = machine;
        this.entry = entry;
        this.segments = segments;
    }

    static boolean hasMagic(byte[] b) {
        return b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }

    /** Parses and validates the ELF header and every program header; {@code what} prefixes messages. */
    static ElfFile parse(byte[] bytes, String what) throws ImageException {
        ImageBytes img = new ImageBytes(bytes, what);
        if (!hasMagic(bytes)) {
            throw img.error("no ELF magic (\\x7fELF) at offset 0");
        }
        int cls = img.u8(4, "e_ident[EI_CLASS]");
        if (cls != 1 && cls != 2) {
            throw img.error("e_ident[EI_CLASS] %d is neither ELFCLASS32 (1) nor ELFCLASS64 (2)", cls);
        }
        boolean is64 = cls == 2;
        int data = img.u8(5, "e_ident[EI_DATA]");
        if (data != 1) {
            throw img.error("e_ident[EI_DATA] %d is not little-endian (1)", data);
        }
        int ehsize = is64 ? 64 : 52;
        img.need(0, ehsize, "ELF header");
        int type = img.u16(16, "e_type");
        if (type != 2 && type != 3) {
            throw img.error("e_type %d is not ET_EXEC (2) or ET_DYN (3)", type);
        }
        int machine = img.u16(18, "e_machine");
        if (is64 ? machine != EM_X86_64 : machine != EM_386) {
            throw img.error("e_machine %d is not %s", machine, is64 ? "EM_X86_64 (62) for ELFCLASS64" : "EM_386 (3) for ELFCLASS32");
        }
        long entry = is64 ? img.u64(24, "e_entry") : img.u32(24, "e_entry");
        long phoff = is64 ? img.u64(32, "e_phoff") : img.u32(28, "e_phoff");
        int phentsize = img.u16(is64 ? 54 : 42, "e_phentsize");
        int phnum = img.u16(is64 ? 56 : 44, "e_phnum");
        int minEnt = is64 ? 56 : 32;
        if (phnum == PN_XNUM) {
            throw img.error("e_phnum is PN_XNUM (0xffff, extended numbering), not supported");
        }
        if (phnum == 0) {
            throw img.error("e_phnum is 0: no program headers");
        }
        if (phentsize < minEnt) {
            throw img.error("e_phentsize %d is smaller than a program header (%d)", phentsize, minEnt);
        }
        long tableLen = (long) phnum * phentsize;
        if (!ImageBytes.inBounds(phoff, tableLen, bytes.length)) {
            throw img.error("e_phnum %d x e_phentsize %d at e_phoff 0x%s extends past end of file (size %d)",
                    phnum, phentsize, Long.toHexString(phoff), bytes.length);
        }
        List<Segment> segs = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            long p = phoff + (long) i * phentsize;
            Segment s;
            if (is64) {
                s = new Segment(i, img.u32(p, "p_type"), img.u64(p + 8, "p_offset"), img.u64(p + 16, "p_vaddr"),
                        img.u64(p + 24, "p_paddr"), img.u64(p + 32, "p_filesz"), img.u64(p + 40, "p_memsz"),
                        img.u64(p + 48, "p_align"));
            } else {
                s = new Segment(i, img.u32(p, "p_type"), img.u32(p + 4, "p_offset"), img.u32(p + 8, "p_vaddr"),
                        img.u32(p + 12, "p_paddr"), img.u32(p + 16, "p_filesz"), img.u32(p + 20, "p_memsz"),
                        img.u32(p + 28, "p_align"));
            }
            if (s.type == PT_LOAD || s.type == PT_NOTE) {
                validate(img, s, is64);
            }
            segs.add(s);
        }
        return new ElfFile(img, is64, machine, entry, List.copyOf(segs));
    }

    private static void validate(ImageBytes img, Segment s, boolean is64) throws ImageException {
        String n = (s.type == PT_LOAD ? "PT_LOAD" : "PT_NOTE") + "[" + s.index + "]";
        if (Long.compareUnsigned(s.filesz, s.memsz) > 0 && s.type == PT_LOAD) {
            throw img.error("%s p_filesz 0x%x exceeds p_memsz 0x%x", n, s.filesz, s.memsz);
        }
        if (!ImageBytes.inBounds(s.offset, s.filesz, img.size())) {
            throw img.error("%s p_offset 0x%s + p_filesz 0x%s extends past end of file (size %d)",
                    n, Long.toHexString(s.offset), Long.toHexString(s.filesz), img.size());
        }
        long limit = is64 ? 0 : Layout.FOUR_GIB; // 0: the full 2^64 space
        for (long base : new long[] {s.paddr, s.vaddr}) {
            String f = base == s.paddr ? "p_paddr" : "p_vaddr";
            long end = base + s.memsz;
            boolean wraps = Long.compareUnsigned(end, base) < 0 || (end == 0 && s.memsz != 0 && is64);
            if (wraps || (limit != 0 && Long.compareUnsigned(end, limit) > 0)) {
                throw img.error("%s %s 0x%x + p_memsz 0x%x wraps around the address space", n, f, base, s.memsz);
            }
        }
    }

    List<Segment> loads() {
        List<Segment> out = new ArrayList<>();
        for (Segment s : segments) {
            if (s.type == PT_LOAD && s.memsz != 0) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The PVH entry from a {@code Xen} note of type XEN_ELFNOTE_PHYS32_ENTRY in a PT_NOTE segment,
     * or -1 if there is none. Notes are 4-byte aligned (8 if the segment says p_align 8).
     */
    long pvhEntry() throws ImageException {
        for (Segment s : segments) {
            if (s.type != PT_NOTE) {
                continue;
            }
            long align = s.align == 8 ? 8 : 4;
            long pos = s.offset;
            long end = s.offset + s.filesz;
            while (end - pos >= 12) {
                long namesz = img.u32(pos, "note namesz");
                long descsz = img.u32(pos + 4, "note descsz");
                long type = img.u32(pos + 8, "note type");
                long nameOff = pos + 12;
                long descOff = nameOff + ImageBytes.alignUp(namesz, align);
                long next = descOff + ImageBytes.alignUp(descsz, align);
                if (next > end || descOff + descsz > end) {
                    throw img.error("PT_NOTE[%d] note at offset 0x%x: namesz %d / descsz %d extend past the segment end 0x%x",
                            s.index, pos, namesz, descsz, end);
                }
                if (namesz == 4 && type == XEN_ELFNOTE_PHYS32_ENTRY && img.b[(int) nameOff] == 'X'
                        && img.b[(int) nameOff + 1] == 'e' && img.b[(int) nameOff + 2] == 'n' && img.b[(int) nameOff + 3] == 0) {
                    long e;
                    if (descsz == 4) {
                        e = img.u32(descOff, "XEN_ELFNOTE_PHYS32_ENTRY desc");
                    } else if (descsz == 8) {
                        e = img.u64(descOff, "XEN_ELFNOTE_PHYS32_ENTRY desc");
                    } else {
                        throw img.error("XEN_ELFNOTE_PHYS32_ENTRY descsz %d is neither 4 nor 8", descsz);
                    }
                    if (Long.compareUnsigned(e, 0xffff_ffffL) > 0) {
                        throw img.error("XEN_ELFNOTE_PHYS32_ENTRY 0x%x is above 4 GiB", e);
                    }
                    return e;
                }
                pos = next;
            }
        }
        return -1;
    }

    /** The physical address of a virtual address inside a PT_LOAD, or -1. */
    long toPhysical(long vaddr) {
        for (Segment s : loads()) {
            if (s.containsVaddr(vaddr)) {
                return s.paddr + (vaddr - s.vaddr);
            }
        }
        return -1;
    }

    /** Places every PT_LOAD with p_memsz != 0 at its p_paddr (file bytes, then zero fill). */
    void placeByPaddr(Placement p, String prefix) throws ImageException {
        for (Segment s : loads()) {
            p.place(prefix + s.name(), s.paddr, img.b, (int) s.offset, (int) s.filesz, s.memsz);
        }
    }
}
