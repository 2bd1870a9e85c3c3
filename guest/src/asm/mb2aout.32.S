# Multiboot 2 test guest using the address and entry address header tags: a flat binary, not ELF.
# The file continues past load_end_addr with 64 bytes of 0xaa that the loader must not copy:
# [load_end_addr, bss_end_addr) must read as zeros (fail 0x20). Then the checks of mb2check.inc
# (exit status = the failed check, 0 = all passed).
# link: 0x100000
        .include "macros.inc"
        .code32
        .text
        .globl _start
image_start:
mb2_header:
        .long   0xE85250D6                      # magic
        .long   0                               # architecture: i386
        .long   mb2_header_end - mb2_header     # header_length
        .long   0x100000000 - (0xE85250D6 + (mb2_header_end - mb2_header))
        .short  2, 0                            # address tag
        .long   24
        .long   mb2_header                      # header_addr
        .long   image_start                     # load_addr
        .long   load_end                        # load_end_addr
        .long   load_end + 0x1000               # bss_end_addr
        .short  3, 0                            # entry address tag
        .long   12
        .long   _start
        .balign 8
        .short  0, 0                            # end tag
        .long   8
mb2_header_end:

_start:
        mov     $stack_top, %esp
        PRINT   "mb2-aout: entered at 0x"
        push    %eax
        mov     $_start, %eax
        call    hex32
        pop     %eax
        PRINT   "\r\n"
        call    mb2_checks
        mov     $load_end, %esi
        mov     $64, %ecx
1:      cmpb    $0, (%esi)
        OK_IF   e, 0x20
        inc     %esi
        loop    1b
        PRINT   "bss after load_end_addr is zero\r\n"
        jmp     pass

        .include "lib32.inc"
        .include "mb2check.inc"
        .balign 16, 0
        .fill   1024, 1, 0
stack_top:
load_end:
        .fill   64, 1, 0xaa                     # in the file, beyond load_end_addr: not loaded
