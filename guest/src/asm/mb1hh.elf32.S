# Multiboot 1 test guest, a higher-half ELF32 kernel: linked at 0xc0100000, loaded at physical
# 0x100000 (mb1hh.ld: AT()), e_entry virtual. The loader must place the PT_LOAD at its p_paddr
# and translate e_entry to a physical address (as GRUB does): the guest checks it was entered at
# the physical address of _start (fail 0x40), then runs the position-independent checks of
# mb1check.inc where it was loaded. (No paging of its own: on minivmm's CI host, enabling 32-bit
# paging without long mode is refused with #GP.) Exit 0 if all pass.
# link: 0xc0100000
        .include "macros.inc"
        .code32
        .text
        .globl _start
        .set    KERNEL_VMA, 0xc0000000
        .balign 4
mb_header:
        .long   0x1BADB002                      # magic
        .long   0x00000002                      # flags: memory information
        .long   0x100000000 - (0x1BADB002 + 0x00000002)
_start:
        mov     $(stack_top - KERNEL_VMA), %esp
        mov     %eax, %esi
        PIC_ADDR _start, %eax           # where _start really is
        PRINT   "mb1-hh: entered at 0x"
        call    hex32
        PRINT   " (linked at 0x"
        push    %eax
        mov     $_start, %eax
        call    hex32
        pop     %eax
        PRINT   ")\r\n"
        cmp     $(_start - KERNEL_VMA), %eax
        OK_IF   e, 0x40
        mov     %esi, %eax
        call    mb1_checks
        jmp     pass
        .include "lib32.inc"
        .include "mb1check.inc"
        .balign 16, 0
        .fill   1024, 1, 0
stack_top:
