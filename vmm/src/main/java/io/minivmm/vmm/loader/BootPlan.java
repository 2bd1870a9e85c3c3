package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import java.util.List;

/**
 * The loader's output: what it wrote into guest RAM and how the vCPU must be set up to enter
 * the image. The vCPU code consumes it; the loader itself never touches a vCPU.
 *
 * @param format    the format that was loaded (never {@link ImageFormat#AUTO})
 * @param entry     guest entry point: a physical address for REAL/PROTECTED, a linear
 *                  (virtual) address for LONG
 * @param mode      CPU mode at entry
 * @param registers register values the boot protocol requires at entry
 * @param writes    the regions written or reserved, in the order placed (for reporting)
 * @param mappings  LONG only: virtual-to-physical mappings the page-table builder must add beyond
 *                  the identity map of RAM (e.g. a higher-half ELF64 kernel); empty otherwise
 * @param e820      the memory map given to the guest (e820 / PVH memmap / Multiboot mmap)
 * @param vcpuArea  where the vCPU code puts the boot GDT, TSS, IDT and page tables: the
 *                  {@link Layout#VCPU_AREA_SIZE} bytes from here, kept free by the loader
 *                  ({@link Layout#VCPU_AREA} unless the image lies there, as a Multiboot kernel
 *                  linked below 64 KiB does); unused in REAL mode
 */
public record BootPlan(ImageFormat format, long entry, CpuMode mode, BootRegisters registers,
                       List<Region> writes, List<LinearMapping> mappings, List<E820Entry> e820, long vcpuArea) {

    public BootPlan {
        writes = List.copyOf(writes);
        mappings = List.copyOf(mappings);
        e820 = List.copyOf(e820);
    }

    /** A plan with the vCPU area at its default place, {@link Layout#VCPU_AREA}. */
    public BootPlan(ImageFormat format, long entry, CpuMode mode, BootRegisters registers,
                    List<Region> writes, List<LinearMapping> mappings, List<E820Entry> e820) {
        this(format, entry, mode, registers, writes, mappings, e820, Layout.VCPU_AREA);
    }

    /**
     * A range of guest-physical memory the loader placed something in.
     *
     * @param what      human-readable name ("kernel PT_LOAD[0]", "zero page", "initrd", ...)
     * @param gpa       guest-physical start
     * @param size      bytes occupied (including zero fill such as .bss)
     * @param written   bytes copied from the image or built by the loader; {@code size - written}
     *                  bytes were zero-filled; 0 with {@code size > 0} and {@code reserved}: only reserved
     * @param reserved  true if the loader only kept the range free (e.g. the kernel's init_size)
     */
    public record Region(String what, long gpa, long size, long written, boolean reserved) {
        public long end() {
            return gpa + size;
        }

        @Override
        public String toString() {
            return String.format("%s [0x%x, 0x%x)%s", what, gpa, gpa + size, reserved ? " reserved" : "");
        }
    }

    /** Map the linear range {@code [vaddr, vaddr+size)} to {@code [paddr, paddr+size)}; all 4 KiB aligned. */
    public record LinearMapping(long vaddr, long paddr, long size) {
        @Override
        public String toString() {
            return String.format("0x%x -> 0x%x (0x%x bytes)", vaddr, paddr, size);
        }
    }

    /** One e820 entry. {@link #RAM} = 1, {@link #RESERVED} = 2 (ACPI 6.x "AddressRangeMemory/Reserved"). */
    public record E820Entry(long addr, long size, int type) {
        public static final int RAM = 1;
        public static final int RESERVED = 2;

        public long end() {
            return addr + size;
        }

        @Override
        public String toString() {
            return String.format("[0x%x, 0x%x) %s", addr, addr + size, type == RAM ? "ram" : type == RESERVED ? "reserved" : "type " + type);
        }
    }

    /**
     * Register values at entry; registers not listed are zero. For {@link CpuMode#REAL} the entry
     * is {@code cs:rip} with {@code cs} a real-mode segment; in the other modes {@code cs} is 0 and
     * the vCPU code loads its flat code selector, {@code rip} = {@link #entry()}.
     */
    public record BootRegisters(long rip, long rax, long rbx, long rdx, long rsi, int cs) {
        @Override
        public String toString() {
            return String.format("cs=0x%x rip=0x%x rax=0x%x rbx=0x%x rdx=0x%x rsi=0x%x", cs, rip, rax, rbx, rdx, rsi);
        }
    }
}
