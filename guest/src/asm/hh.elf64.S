# Higher-half ELF64 test guest: linked at 0xffffffff80100000 and loaded at physical 0x100000
# (hh.ld: AT()). The VMM enters e_entry in long mode with the kernel mapped at its link address.
# Checks: RIP-relative LEA of _start gives the link address (fail 1, 2); CR0.PG and EFER.LMA set
# (3); a value read through the higher-half address equals the same value read through the
# identity address of its physical location (4), and a write through one is seen through the
# other (5); the page tables at CR3 translate _start to 0x100000 (6); the command line at 0x20000
# equals hh_cmdline (7). Exit 0 when all pass.
# link: 0xffffffff80100000
        .include "macros.inc"
        .code64
        .text
        .globl _start
        .set    KERNEL_OFFSET, 0xffffffff80000000
_start:
        lea     stack_top(%rip), %rsp   # a higher-half stack
        lea     _start(%rip), %rax
        PRINT   "hh: running at 0x"
        call    hex64
        PRINT   "\r\n"
        movabs  $_start, %rbx
        cmp     %rbx, %rax
        OK_IF   e, 1
        movabs  $0xffffffff80100000, %rbx
        cmp     %rbx, %rax
        OK_IF   e, 2
        mov     %cr0, %rax
        bt      $31, %rax
        OK_IF   c, 3
        mov     $0xc0000080, %ecx
        rdmsr
        bt      $10, %eax
        OK_IF   c, 3
        # The same quadword through both addresses.
        mov     shared(%rip), %rax
        movabs  $(shared - KERNEL_OFFSET), %rbx
        mov     (%rbx), %rdx
        PRINT   "value via 0x"
        push    %rax
        lea     shared(%rip), %rax
        call    hex64
        PRINT   " = 0x"
        pop     %rax
        call    hex64
        PRINT   ", via 0x"
        push    %rax
        mov     %rbx, %rax
        call    hex64
        PRINT   " = 0x"
        mov     %rdx, %rax
        call    hex64
        PRINT   "\r\n"
        pop     %rax
        cmp     %rax, %rdx
        OK_IF   e, 4
        movabs  $0x1122334455667788, %rax
        mov     %rax, (%rbx)            # write through the identity address ...
        cmp     shared(%rip), %rax      # ... read through the higher half
        OK_IF   e, 5
        PRINT   "write via identity seen via higher half\r\n"
        lea     _start(%rip), %rdi
        call    walk
        OK_IF   nc, 6
        PRINT   "page walk: _start -> 0x"
        call    hex64
        PRINT   " (page shift 0x"
        push    %rax
        mov     %rcx, %rax
        call    hex64
        pop     %rax
        PRINT   ")\r\n"
        cmp     $0x100000, %rax
        OK_IF   e, 6
        # The command line at 0x20000 (identity-mapped; see loader/package-info.java).
        PRINT   "cmdline at 0x20000='"
        mov     $0x20000, %esi
        call    puts
        PRINT   "'\r\n"
        mov     $0x20000, %esi
        lea     hh_cmdline(%rip), %rdi
1:      mov     (%rsi), %al
        cmp     (%rdi), %al
        OK_IF   e, 7
        inc     %rsi
        inc     %rdi
        test    %al, %al
        jnz     1b
        jmp     pass

        .include "lib64.inc"
        .balign 8
shared: .quad   0x0123456789abcdef
hh_cmdline:     .asciz "minivmm-hh elf64=higher-half"
        .balign 16
        .fill   1024, 1, 0
stack_top:
