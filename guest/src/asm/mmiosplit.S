# MMIO of odd lengths (raw at 0x100000, long mode, less than 3 GiB of RAM): maps 0xd0000000 as
# unclaimed uncached MMIO (as unclaimed64.S does), then makes KVM deliver accesses whose length
# is not a power of two: an unaligned quadword read and write across a 4 KiB page boundary
# (KVM splits them into 3 + 5 and 1 + 7 bytes) and `rep insb` from port 0x80 into MMIO. Every
# read must be all ones (fail 2, 3, 4). Exit 0 if the run gets to the end.
# link: 0x100000
        .include "macros.inc"
        .include "mmio64.inc"
        .code64
        .set    MMIO, 0xd0000000
        .globl _start
_start: jmp     main
        .include "lib64.inc"
main:   MAP_MMIO64
        mov     $MMIO, %ebx
        movq    0xffd(%rbx), %rax       # 3 bytes in one page, 5 in the next
        PRINT   "mmio qword at 0xd0000ffd -> 0x"
        call    hex64
        PRINT   "\r\n"
        cmp     $-1, %rax
        OK_IF   e, 2
        movabs  $0x0123456789abcdef, %rax
        movq    %rax, 0x1fff(%rbx)      # 1 byte, then 7
        movl    0x2ffe(%rbx), %eax      # 2 + 2
        PRINT   "mmio dword at 0xd0002ffe -> 0x"
        call    hex64
        PRINT   "\r\n"
        mov     $0xffffffff, %edx
        cmp     %rdx, %rax
        OK_IF   e, 3
        cld
        lea     0x3100(%rbx), %rdi
        mov     $0x80, %dx
        mov     $7, %ecx
        rep insb                        # port reads written into MMIO, possibly batched
        movq    0x3100(%rbx), %rax
        PRINT   "rep insb into mmio: done, qword -> 0x"
        call    hex64
        PRINT   "\r\n"
        cmp     $-1, %rax
        OK_IF   e, 4
        jmp     pass
        .balign 4096, 0
page_dir:
        .fill   4096, 1, 0
