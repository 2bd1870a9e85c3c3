# Lazy alloc area: the VMM maps [0x40000000, +16 KiB) as "alloc, lazy"; no frame exists until the
# guest touches a page. Each first touch faults, the handler reports it, the VMM maps a zeroed
# frame, the access is retried. Checks: a written value reads back, a fresh page reads as zero,
# a second touch of a resolved page does not fault again (the VMM counts faults).
# link: 0x100000
        .code64
        .globl _start
_start:
        jmp     main
        .include "pf.inc"
main:
        call    install_idt
        mov     $0x40000000, %rdi
        movabs  $0x1122334455667788, %rax
        mov     %rax, (%rdi)                # fault 1 (write), resolved, retried
        cmp     (%rdi), %rax
        jne     bad
        mov     0x1000(%rdi), %rbx          # fault 2 (read): a fresh zeroed page
        test    %rbx, %rbx
        jnz     bad
        movl    $0x5a5a5a5a, 0x1008(%rdi)   # same page again: no fault
        mov     %rax, 0x3ff8(%rdi)          # last qword of the area: fault 3
        cmp     0x3ff8(%rdi), %rax
        jne     bad
        PUTS    ok
        jmp     exit_ok
bad:    mov     $1, %al
        jmp     exit_fail
ok:     .asciz  "lazy alloc area ok\r\n"
