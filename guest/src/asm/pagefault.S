# Triple-fault test guest (raw long mode at 0x100000, the VMM's empty IDT): jumps to
# 0x400000000000, which the boot page tables do not map. The instruction fetch faults (#PF,
# CR2 = 0x400000000000), the #PF cannot be delivered without an IDT, and the vCPU shuts down:
# the run must end as a triple fault (exit 125) with a crash report naming the faulting RIP.
# link: 0x100000
        .include "macros.inc"
        .code64
        .globl _start
_start: jmp     main
        .include "lib64.inc"
main:   PRINT   "pagefault: jumping to 0x0000400000000000\r\n"
        movabs  $0x400000000000, %rax
        jmp     *%rax
