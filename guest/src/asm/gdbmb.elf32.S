# Debugger test guest (issue 12): a Multiboot 1 kernel entered in 32-bit protected mode (paging
# off) that builds identity page tables (1 GiB of 2 MiB pages), enables PAE + EFER.LME + paging
# to enter long mode, and calls lm_target (64-bit) twice from long_main; exits with status 42.
# For "hbreak across the 32 -> 64-bit switch": a hardware breakpoint on lm_target, set before
# the first instruction, must stop there in long mode.
# link: 0x100000
# "-n": no PT_LOAD for the ELF headers (it would land in the reserved legacy hole)
# ld: -n
        .include "macros.inc"
        .cfi_sections .debug_frame
        .code32
        .text
        .globl _start, long_main, lm_target, lm_count, bench
        .balign 4
mb_header:
        .long   0x1BADB002
        .long   0
        .long   0x100000000 - 0x1BADB002
        .type _start, @function
_start:
        mov     $stack_top, %esp
        mov     $(pdpt + 3), %eax
        mov     %eax, pml4
        mov     $(pd + 3), %eax
        mov     %eax, pdpt
        mov     $pd, %edi
        mov     $0x83, %eax                     # present, writable, 2 MiB page
        mov     $512, %ecx
1:      mov     %eax, (%edi)
        movl    $0, 4(%edi)
        add     $0x200000, %eax
        add     $8, %edi
        loop    1b
        mov     $pml4, %eax
        mov     %eax, %cr3
        mov     %cr4, %eax
        or      $0x20, %eax                     # PAE
        mov     %eax, %cr4
        mov     $0xc0000080, %ecx               # EFER.LME
        rdmsr
        or      $0x100, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80000001, %eax               # PG (+PE): long mode is active from here
        mov     %eax, %cr0
        lgdt    gdt_desc
        ljmp    $0x08, $long_entry
        .size _start, .-_start

        .code64
long_entry:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     $stack_top, %esp
        xor     %ebp, %ebp
        call    long_main
        mov     $42, %al
        jmp     exit

        .type long_main, @function
long_main:
        FN_ENTER
        PRINT   "gdb-mb: long mode\r\n"
        call    lm_target
        call    lm_target
        cmpq    $0, bench(%rip)                 # set by the gdb benchmark: call lm_target forever
        je      2f
1:      call    lm_target
        jmp     1b
2:      FN_LEAVE
        .size long_main, .-long_main

        .type lm_target, @function
lm_target:
        .cfi_startproc
        incq    lm_count(%rip)
        ret
        .cfi_endproc
        .size lm_target, .-lm_target

        .include "lib64.inc"
        .balign 8
gdt:    .quad   0
        .quad   0x00af9a000000ffff              # 0x08: 64-bit code
        .quad   0x00cf92000000ffff              # 0x10: data
gdt_desc:
        .word   gdt_desc - gdt - 1
        .long   gdt
lm_count: .quad 0
bench:  .quad   0
        .balign 4096
pml4:   .fill   4096, 1, 0
pdpt:   .fill   4096, 1, 0
pd:     .fill   4096, 1, 0
        .fill   2048, 1, 0
stack_top:
