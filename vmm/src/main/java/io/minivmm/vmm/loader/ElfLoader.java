package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain ELF executable without PVH note or Multiboot header. ELF64: PT_LOADs at p_paddr,
 * entered at e_entry in long mode with a linear mapping p_vaddr -> p_paddr for every segment
 * linked elsewhere than it is loaded (a higher-half kernel runs as linked); e_entry must be inside
 * a segment's virtual range. ELF32: PT_LOADs at p_paddr, entered at the physical e_entry in flat
 * 32-bit protected mode.
 */
final class ElfLoader {
    private ElfLoader() {
    }

    static final long PAGE = 0x1000;

    static BootPlan load(byte[] image, GuestRam ram, LoadOptions opts) throws ImageException {
        ElfFile elf = ElfFile.parse(image, "ELF");
        List<ElfFile.Segment> loads = elf.loads();
        if (loads.isEmpty()) {
            throw elf.img.error("no PT_LOAD segment with p_memsz > 0");
        }
        Placement p = new Placement("ELF", ram);
        BzImageLoader.reserveCommon(p, true);
        if (!elf.is64) {
            long entry = MultibootLoader.elfEntry(elf);
            elf.placeByPaddr(p, "");
            if (opts.cmdline() != null) {
                PvhLoader.placeCmdline(p, "ELF", opts.cmdline());
            }
            List<BootPlan.E820Entry> e820 = Layout.e820(ram);
            return new BootPlan(ImageFormat.ELF, entry, CpuMode.PROTECTED,
                    new BootPlan.BootRegisters(entry, 0, 0, 0, 0, 0), p.commit(), List.of(), e820);
        }
        if (loads.stream().noneMatch(s -> s.containsVaddr(elf.entry))) {
            throw elf.img.error("e_entry 0x%x is not inside any PT_LOAD's virtual range", elf.entry);
        }
        List<BootPlan.LinearMapping> maps = new ArrayList<>();
        for (int i = 0; i < loads.size(); i++) {
            ElfFile.Segment s = loads.get(i);
            if (!canonical(s.vaddr()) || !canonical(s.vaddr() + s.memsz() - 1)) {
                throw elf.img.error("%s p_vaddr range [0x%x, 0x%x) is not canonical", s.name(), s.vaddr(), s.vaddr() + s.memsz());
            }
            for (int j = 0; j < i; j++) {
                ElfFile.Segment o = loads.get(j);
                boolean exact = Long.compareUnsigned(s.vaddr(), o.vaddr() + o.memsz()) < 0
                        && Long.compareUnsigned(o.vaddr(), s.vaddr() + s.memsz()) < 0;
                boolean pages = Long.compareUnsigned(s.vaddr() & -PAGE, ImageBytes.alignUp(o.vaddr() + o.memsz(), PAGE)) < 0
                        && Long.compareUnsigned(o.vaddr() & -PAGE, ImageBytes.alignUp(s.vaddr() + s.memsz(), PAGE)) < 0;
                if (exact || (pages && s.vaddr() - s.paddr() != o.vaddr() - o.paddr())) {
                    throw elf.img.error("%s and %s overlap in virtual memory [0x%x, 0x%x)", o.name(), s.name(), s.vaddr(), s.vaddr() + s.memsz());
                }
            }
            if (s.vaddr() != s.paddr()) {
                if ((s.vaddr() & (PAGE - 1)) != (s.paddr() & (PAGE - 1))) {
                    throw elf.img.error("%s p_vaddr 0x%x and p_paddr 0x%x differ in their page offset", s.name(), s.vaddr(), s.paddr());
                }
                long off = s.vaddr() & (PAGE - 1);
                maps.add(new BootPlan.LinearMapping(s.vaddr() - off, s.paddr() - off, ImageBytes.alignUp(s.memsz() + off, PAGE)));
            }
        }
        elf.placeByPaddr(p, "");
        if (opts.cmdline() != null) {
            PvhLoader.placeCmdline(p, "ELF", opts.cmdline());
        }
        List<BootPlan.E820Entry> e820 = Layout.e820(ram);
        return new BootPlan(ImageFormat.ELF, elf.entry, CpuMode.LONG,
                new BootPlan.BootRegisters(elf.entry, 0, 0, 0, 0, 0), p.commit(), maps, e820);
    }

    /** 48-bit canonical: bits 63..47 all equal. */
    static boolean canonical(long va) {
        return (va >> 47) == 0 || (va >> 47) == -1;
    }
}
