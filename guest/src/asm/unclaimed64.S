# Unclaimed MMIO in long mode (raw at 0x100000, less than 3 GiB of RAM): the guest maps
# 0xd0000000 itself (the VMM's boot tables map RAM only) with a 2 MiB uncached page in a page
# directory of its own hung into PDPT[3], then reads it: 8, 4 and 1 bytes all ones (fail 2, 3,
# 4), a written quadword is dropped (5). PDPT[3] must be free at entry (1). Exit 0 if all pass.
# link: 0x100000
        .include "macros.inc"
        .include "mmio64.inc"
        .code64
        .set    MMIO, 0xd0000000
        .globl _start
_start: jmp     main
        .include "lib64.inc"
main:   MAP_MMIO64
        PRINT   "mapped 0xd0000000 (2 MiB, uncached)\r\n"
        mov     $MMIO, %ebx
        movq    (%rbx), %rax
        PRINT   "mmio 0xd0000000: qword -> 0x"
        call    hex64
        cmp     $-1, %rax
        OK_IF   e, 2
        movl    (%rbx), %eax
        PRINT   " dword -> 0x"
        call    hex64
        mov     $0xffffffff, %edx
        cmp     %rdx, %rax
        OK_IF   e, 3
        movabs  $0x5a5a5a5a5a5a5a00, %rax
        movb    (%rbx), %al
        PRINT   " byte -> 0x"
        call    hex64
        movabs  $0x5a5a5a5a5a5a5aff, %rdx
        cmp     %rdx, %rax
        OK_IF   e, 4
        movabs  $0x0123456789abcdef, %rax
        movq    %rax, 8(%rbx)
        movq    8(%rbx), %rax
        PRINT   "\r\nmmio 0xd0000008: after a qword write -> 0x"
        call    hex64
        PRINT   "\r\n"
        cmp     $-1, %rax
        OK_IF   e, 5
        jmp     pass
        .balign 4096, 0
page_dir:
        .fill   4096, 1, 0
