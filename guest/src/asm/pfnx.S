# NX: [0x60000000, +4 KiB) is mapped populated READ|WRITE without EXECUTE. The guest stores a
# `ret` there and calls it: the fetch faults with P|I/D (0x11), unresolved: exit 0x91. A write
# works first, so the fault is the NX bit, not a missing page.
# link: 0x100000
        .code64
        .globl _start
_start:
        jmp     main
        .include "pf.inc"
main:
        call    install_idt
        mov     $0x60000000, %rdi
        movb    $0xc3, (%rdi)               # writable: no fault
        PUTS    calling
        call    *%rdi                       # #PF (instruction fetch), unresolved -> exit 0x91
        mov     $2, %al                     # not reached: NX was not honoured
        jmp     exit_fail
calling: .asciz "no-exec area written; calling it\r\n"
