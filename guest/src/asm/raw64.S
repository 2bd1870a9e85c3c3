# Raw long-mode test guest (--format raw --load-addr 0x100000 --mode long).
# Checks: CR0.PE and CR0.PG set (fail 1), CR4.PAE set (2), EFER.LME and EFER.LMA set (3),
# 64-bit operand size (4), CS = 0x10 (5), the page tables at CR3 map _start to itself (identity,
# 6) and leave 0x400000000000 unmapped (7). Exit 0 if all pass.
# link: 0x100000
        .include "macros.inc"
        .code64
        .globl _start
_start: jmp     main
        .include "lib64.inc"
main:   mov     %cr0, %rax
        PRINT   "raw64: cr0=0x"
        call    hex64
        and     $0x80000001, %eax
        cmp     $0x80000001, %eax
        OK_IF   e, 1
        mov     %cr4, %rax
        PRINT   " cr4=0x"
        call    hex64
        bt      $5, %rax
        OK_IF   c, 2
        mov     $0xc0000080, %ecx
        rdmsr
        shl     $32, %rdx
        or      %rdx, %rax
        PRINT   " efer=0x"
        call    hex64
        and     $0x500, %eax
        cmp     $0x500, %eax
        OK_IF   e, 3
        mov     %cr3, %rax
        PRINT   "\r\ncr3=0x"
        call    hex64
        movabs  $0x100000000, %rax      # needs 64-bit operands
        shr     $32, %rax
        cmp     $1, %rax
        OK_IF   e, 4
        xor     %eax, %eax
        mov     %cs, %ax
        PRINT   " cs=0x"
        call    hex64
        cmp     $0x10, %eax
        OK_IF   e, 5
        PRINT   " rsp=0x"
        mov     %rsp, %rax
        call    hex64
        lea     _start(%rip), %rdi
        call    walk
        OK_IF   nc, 6
        PRINT   "\r\npage walk: 0x100000 -> 0x"
        call    hex64
        PRINT   " (page shift 0x"
        push    %rax
        mov     %rcx, %rax
        call    hex64
        pop     %rax
        PRINT   ")\r\n"
        cmp     %rdi, %rax
        OK_IF   e, 6
        movabs  $0x400000000000, %rdi
        call    walk
        OK_IF   c, 7
        PRINT   "page walk: 0x400000000000 not present\r\n"
        PRINT   "raw64: 64-bit long mode, paging on\r\n"
        jmp     pass
