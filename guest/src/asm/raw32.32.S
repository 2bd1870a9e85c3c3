# Raw 32-bit protected-mode test guest (--format raw --load-addr 0x100000 --mode protected).
# Checks: CR0.PE set (fail 1), CR0.PG clear (2), EFER.LMA clear (3), CS = 0x10 and DS = SS =
# 0x18, the boot GDT selectors (4, 5); flat segments, CR4 = 0, IF clear (lib32.inc: check_flat32,
# 0x30-0x33). Prints CR0, EFER, the selectors and ESP. Exit 0 if all pass.
# link: 0x100000
        .include "macros.inc"
        .code32
        .globl _start
_start: jmp     main
        .include "lib32.inc"
main:   mov     %cr0, %eax
        PRINT   "raw32: cr0=0x"
        call    hex32
        test    $1, %eax
        OK_IF   nz, 1
        test    $0x80000000, %eax
        OK_IF   z, 2
        mov     $0xc0000080, %ecx
        rdmsr
        PRINT   " efer=0x"
        call    hex32
        test    $0x400, %eax
        OK_IF   z, 3
        PRINT   " cs=0x"
        xor     %eax, %eax
        mov     %cs, %ax
        call    hex32
        cmp     $0x10, %eax
        OK_IF   e, 4
        PRINT   " ds=0x"
        mov     %ds, %ax
        call    hex32
        cmp     $0x18, %eax
        OK_IF   e, 5
        PRINT   " ss=0x"
        mov     %ss, %ax
        call    hex32
        cmp     $0x18, %eax
        OK_IF   e, 5
        PRINT   " esp=0x"
        mov     %esp, %eax
        call    hex32
        PRINT   "\r\n"
        call    check_flat32
        PRINT   "raw32: 32-bit protected mode, paging off\r\n"
        jmp     pass
