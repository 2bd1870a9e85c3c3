# Read-only area: [0x50000000, +4 KiB) is mapped populated and READ only. Reading works; the
# write faults with error code P|W (3), the VMM refuses (the area lacks WRITE): exit 0x83.
# link: 0x100000
        .code64
        .globl _start
_start:
        jmp     main
        .include "pf.inc"
main:
        call    install_idt
        mov     $0x50000000, %rdi
        mov     (%rdi), %rax                # readable: no fault
        PUTS    reading
        movq    $1, (%rdi)                  # #PF, unresolved -> exit 0x80|3
        mov     $2, %al                     # not reached
        jmp     exit_fail
reading: .asciz "read-only area readable; writing\r\n"
