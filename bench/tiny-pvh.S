# The benchmark guest: the smallest PVH kernel that proves it ran. An ELF64 file with the
# XEN_ELFNOTE_PHYS32_ENTRY note, entered in flat 32-bit protected mode by minivmm and by QEMU's
# microvm alike. It writes "tiny\n" to COM1 (0x3f8) and then 0 to the debug-exit port 0xf4
# (minivmm --debug-exit exact: status 0; QEMU's isa-debug-exit: status (0<<1)|1 = 1).
# Built by bench/startup.sh: as --32 + ld -m elf_i386 -T bench/tiny-pvh.ld.
        .section .note.Xen, "a", @note
        .balign 4
        .long   4                       # namesz
        .long   4                       # descsz: a 32-bit entry address
        .long   18                      # XEN_ELFNOTE_PHYS32_ENTRY
        .asciz  "Xen"
        .balign 4
        .long   pvh_start
        .balign 4

        .text
        .code32
        .globl  _start
_start:
        ud2
pvh_start:
        mov     $msg, %esi
        mov     $0x3f8, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        out     %al, %dx
        jmp     1b
2:
.ifndef HALT                            # tiny-halt.elf (--defsym HALT=1): stays in the hlt loop
        xor     %eax, %eax
        mov     $0xf4, %dx
        out     %al, %dx
.endif
3:      hlt
        jmp     3b
msg:    .asciz  "tiny\n"
