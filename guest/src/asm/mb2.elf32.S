# Multiboot 2 test guest (ELF32), with an information request tag. Entered in flat 32-bit
# protected mode with EAX = 0x36d76289 and EBX = the boot information; runs the checks of
# mb2check.inc (exit status = the failed check, 0 = all passed).
# link: 0x100000
# "-n": no PT_LOAD for the ELF headers (ld would put one at 0xff000, in the reserved legacy hole)
# ld: -n
        .include "macros.inc"
        .code32
        .text
        .globl _start
        .balign 8
mb2_header:
        .long   0xE85250D6                      # magic
        .long   0                               # architecture: i386
        .long   mb2_header_end - mb2_header     # header_length
        .long   0x100000000 - (0xE85250D6 + (mb2_header_end - mb2_header))
        # Information request: command line, boot loader name, modules, basic meminfo, mmap.
        .short  1, 0
        .long   8 + 5 * 4
        .long   1, 2, 3, 4, 6
        .balign 8
        .short  0, 0                            # end tag
        .long   8
mb2_header_end:

_start:
        mov     $stack_top, %esp
        call    mb2_checks
        jmp     pass

        .include "lib32.inc"
        .include "mb2check.inc"
        .balign 16
        .fill   1024, 1, 0
stack_top:
