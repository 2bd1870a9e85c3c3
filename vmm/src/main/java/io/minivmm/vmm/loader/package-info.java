/**
 * Kernel image parsing, validation and boot plans: format detection ({@link io.minivmm.vmm.loader.ImageFormat}),
 * one loader per format behind {@link io.minivmm.vmm.loader.KernelLoader}, producing a
 * {@link io.minivmm.vmm.loader.BootPlan}. Pure Java; the loader writes guest RAM through
 * {@link io.minivmm.vmm.loader.GuestRam} and never touches a vCPU.
 *
 * <h2>Validation</h2>
 * Every field and length taken from an image is checked before use with the overflow-safe form
 * {@code off < 0 || len < 0 || off > size - len}, guest addresses with unsigned comparisons. Every
 * failure is an {@link io.minivmm.vmm.loader.ImageException} (exit 65) with a one-line message
 * naming the field. Loaders first place everything in a {@code Placement} (RAM containment, no
 * wrap-around, no overlap between segments or with the structures below), and write only if all
 * of it fits: a failed load leaves guest RAM untouched.
 *
 * <h2>Guest-physical layout below 1 MiB (the default places of the loader structures)</h2>
 * The Multiboot loaders place the image first and put the vCPU area, the boot information and
 * the command line at these defaults only when the image left them free; otherwise at the
 * highest free place below the EBDA ({@link Placement#around}), reported in the
 * {@link BootPlan} (EBX, {@code vcpuArea()}). The PVH loader does the same for the command line.
 * <pre>
 * 0x00000 - 0x00fff  real-mode IVT + BIOS data area: never written, no image may land here
 * 0x01000 - 0x0ffff  RESERVED FOR THE vCPU / PAGING CODE: GDT, IDT, boot page tables (60 KiB).
 *                    Reserved in PROTECTED32_FLAT and LONG64 plans; the loaders never write here.
 *                    REAL-mode plans do not reserve it (a boot sector sits at 0x7c00).
 * 0x07c00 - 0x07dff  boot sector (REAL mode only)
 * 0x10000 - 0x1ffff  boot information, one of:
 *                      Linux zero page (boot_params, 4 KiB, with its e820_table)      bzImage
 *                      hvm_start_info @0x10000, modlist @0x10040, memmap @0x10080       PVH
 *                      multiboot_info @0x10000, loader name @0x10080, mods @0x100c0,
 *                        module string @0x10100, mmap @0x10400                          Multiboot 1
 *                      Multiboot 2 boot information (tags, up to 64 KiB)               Multiboot 2
 * 0x20000 - 0x2ffff  kernel command line, NUL-terminated (bzImage, PVH, Multiboot 1, ELF)
 * 0x30000 - 0x9fbff  free (the guest's)
 * 0x9fc00 - 0xfffff  legacy hole, reserved in every memory map: EBDA (the arch code puts the MP
 *                    table at 0x9fc00), VGA, option ROMs, BIOS
 * 0x100000 -         kernels (bzImage at 0x100000 unless relocatable with pref_address; ELF
 *                    images at p_paddr); initrd/module 0 as high as allowed
 * </pre>
 * The memory map (e820 / PVH memmap / Multiboot mmap) is the RAM ranges with the legacy hole cut
 * out and reported as reserved; everything minivmm puts below 1 MiB is in the RAM entry
 * {@code [0, 0x9fc00)}, which the kernel treats as its own once it has consumed the boot structures.
 */
package io.minivmm.vmm.loader;
