# Higher-half alias: the VMM maps 0xffffffff80000000 + x -> x (linear) besides the identity map.
# The guest writes through the identity address and reads through the alias, and the other way
# round, and checks both agree. Exit 0 when they do, 1 or 2 when not.
# link: 0x100000
        .code64
        .globl _start
_start:
        jmp     main
        .include "pf.inc"
main:
        call    install_idt
        mov     $0x200000, %rdi
        movabs  $0xffffffff80000000, %rsi
        add     %rdi, %rsi
        movabs  $0xcafef00dd00dfeed, %rax
        mov     %rax, (%rdi)
        cmp     (%rsi), %rax
        jne     1f
        not     %rax
        mov     %rax, 8(%rsi)
        cmp     8(%rdi), %rax
        jne     2f
        PUTS    ok
        jmp     exit_ok
1:      mov     $1, %al
        jmp     exit_fail
2:      mov     $2, %al
        jmp     exit_fail
ok:     .asciz  "higher-half alias ok\r\n"
