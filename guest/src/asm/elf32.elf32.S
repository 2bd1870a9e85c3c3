# Plain ELF32 test guest (no Multiboot header, no PVH note): the VMM loads the PT_LOAD at p_paddr
# and enters the physical e_entry in flat 32-bit protected mode, paging off. Checks: entered at
# _start (fail 1), CR0.PE set / PG clear (2), EFER.LMA clear (3), flat segments, CR4 = 0, IF clear
# (lib32.inc: check_flat32, 0x30-0x33), and the command line at 0x20000 (the only place an ELF
# kernel finds it, see loader/package-info.java) equals elf32_cmdline (4). Exit 0 if all pass.
# link: 0x100000
# "-n": no PT_LOAD for the ELF headers (ld would put one at 0xff000, in the reserved legacy hole)
# ld: -n
        .include "macros.inc"
        .code32
        .text
        .globl _start
        .set    CMDLINE, 0x20000
_start:
        mov     $stack_top, %esp
        PIC_ADDR _start, %eax
        PRINT   "elf32: entered at 0x"
        call    hex32
        cmp     $_start, %eax
        OK_IF   e, 1
        mov     %cr0, %eax
        PRINT   " cr0=0x"
        call    hex32
        and     $0x80000001, %eax
        cmp     $1, %eax
        OK_IF   e, 2
        mov     $0xc0000080, %ecx
        rdmsr
        PRINT   " efer=0x"
        call    hex32
        test    $0x400, %eax
        OK_IF   z, 3
        PRINT   "\r\n"
        call    check_flat32
        PRINT   "cmdline at 0x20000='"
        mov     $CMDLINE, %esi
        call    puts
        PRINT   "'\r\n"
        mov     $CMDLINE, %esi
        mov     $elf32_cmdline, %edi
        call    streq
        OK_IF   e, 4
        jmp     pass
        .include "lib32.inc"
elf32_cmdline:  .asciz "minivmm-elf32 plain=yes"
        .balign 16, 0
        .fill   1024, 1, 0
stack_top:
