# Multiboot 1 test guest using the a.out kludge: a flat binary whose header has flag bit 16 and
# the address fields. The file continues past load_end_addr with 64 bytes of 0xaa that the loader
# must not copy: [load_end_addr, bss_end_addr) must read as zeros (fail 0x20). Then the checks of
# mb1check.inc (exit status = the failed check, 0 = all passed).
# link: 0x100000
        .include "macros.inc"
        .code32
        .text
        .globl _start
image_start:
        .balign 4
mb_header:
        .long   0x1BADB002                      # magic
        .long   0x00010002                      # flags: memory information, address fields
        .long   0x100000000 - (0x1BADB002 + 0x00010002)
        .long   mb_header                       # header_addr
        .long   image_start                     # load_addr
        .long   load_end                        # load_end_addr
        .long   load_end + 0x1000               # bss_end_addr
        .long   _start                          # entry_addr
_start:
        mov     $stack_top, %esp
        PRINT   "mb1-aout: entered at 0x"
        push    %eax
        mov     $_start, %eax
        call    hex32
        pop     %eax
        PRINT   "\r\n"
        call    mb1_checks
        # The bytes after load_end_addr in the file must not have been loaded: .bss is zero.
        mov     $load_end, %esi
        mov     $64, %ecx
1:      cmpb    $0, (%esi)
        OK_IF   e, 0x20
        inc     %esi
        loop    1b
        PRINT   "bss after load_end_addr is zero\r\n"
        jmp     pass
        .include "lib32.inc"
        .include "mb1check.inc"
        .balign 16
        .fill   1024, 1, 0
stack_top:
load_end:
        .fill   64, 1, 0xaa                     # in the file, beyond load_end_addr: not loaded
