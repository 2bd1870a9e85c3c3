# Debugger test guest (issue 12): a higher-half ELF64 kernel with symbols, linked at
# 0xffffffff80200000 and loaded at physical 0x200000 (gdbhh.ld: AT()); the VMM enters _start in
# long mode with the kernel mapped at its link address. _start calls caller(3), which calls
# target_fn three times (each adds 1 to `counter` and stores `counter * 0x11` to `watched`); then
# it spins (adding 1 to `spin_count`) until a debugger sets `release` non-zero, and exits with
# status 42 if counter == 3 (else 1). Frame pointers and CFI (.debug_frame) let gdb unwind.
# link: 0xffffffff80200000
        .include "macros.inc"
        .cfi_sections .debug_frame
        .code64
        .text
        .globl _start, caller, target_fn, spin, counter, watched, release, spin_count
        .type _start, @function
_start:
        .cfi_startproc
        .cfi_undefined %rip
        lea     stack_top(%rip), %rsp
        xor     %ebp, %ebp
        PRINT   "gdb-guest: start\r\n"
        mov     $3, %edi
        call    caller
        PRINT   "gdb-guest: spinning\r\n"
spin:   incq    spin_count(%rip)
        pause
        cmpq    $0, release(%rip)
        je      spin
        PRINT   "gdb-guest: released\r\n"
        mov     $1, %al
        cmpq    $3, counter(%rip)
        jne     1f
        mov     $42, %al
1:      jmp     exit
        .cfi_endproc
        .size _start, .-_start

        .type caller, @function
caller:
        FN_ENTER
1:      call    target_fn
        dec     %edi
        jnz     1b
        FN_LEAVE
        .size caller, .-caller

        .type target_fn, @function
target_fn:
        FN_ENTER
        mov     counter(%rip), %rax
        inc     %rax
        mov     %rax, counter(%rip)
        imul    $0x11, %rax, %rax
        mov     %rax, watched(%rip)
        FN_LEAVE
        .size target_fn, .-target_fn

        .include "lib64.inc"
        .data                           # a data section: gdb treats these as data symbols
        .balign 8
counter:    .quad 0
watched:    .quad 0
release:    .quad 0
spin_count: .quad 0
        .balign 16
        .fill   2048, 1, 0
stack_top:
        .type counter, @object
        .size counter, 8
        .type watched, @object
        .size watched, 8
        .type release, @object
        .size release, 8
        .type spin_count, @object
        .size spin_count, 8
