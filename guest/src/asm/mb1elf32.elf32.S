# Multiboot 1 test guest, an ELF32 kernel: the boot loader (the VMM) enters _start in flat 32-bit
# protected mode with EAX = 0x2BADB002 and EBX = the Multiboot information. Runs the checks of
# mb1check.inc (exit status = the failed check, 0 = all passed).
# link: 0x100000
# "-n": no PT_LOAD for the ELF headers (ld would put one at 0xff000, in the reserved legacy hole)
# ld: -n
        .include "macros.inc"
        .code32
        .text
        .globl _start
        .balign 4
mb_header:
        .long   0x1BADB002                      # magic
        .long   0x00000002                      # flags: memory information
        .long   0x100000000 - (0x1BADB002 + 0x00000002)
_start:
        mov     $stack_top, %esp
        PRINT   "mb1-elf32: entered at 0x"
        push    %eax
        mov     $_start, %eax
        call    hex32
        pop     %eax
        PRINT   "\r\n"
        call    mb1_checks
        jmp     pass
        .include "lib32.inc"
        .include "mb1check.inc"
        .balign 16
        .fill   1024, 1, 0
stack_top:
