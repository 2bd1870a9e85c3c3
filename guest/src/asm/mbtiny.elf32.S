# A minimal Multiboot 1 guest for start-up benchmarks (bench/linux-vs-qemu.sh): the loader (minivmm
# or QEMU -kernel) enters it in 32-bit protected mode, paging off; it writes "MB-OK\n" to COM1
# with plain outs (no LSR polling: nothing else is on the line yet) and exits through the
# debug-exit port 0xf4 with value 0 (QEMU's isa-debug-exit: process status 1).
# link: 0x100000
# ld: -n
        .include "serial.inc"
        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0
        .section .text
        .code32
        .globl _start
        .align 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
_start:
        mov     $COM1, %dx
        mov     $'M', %al
        out     %al, %dx
        mov     $'B', %al
        out     %al, %dx
        mov     $'-', %al
        out     %al, %dx
        mov     $'O', %al
        out     %al, %dx
        mov     $'K', %al
        out     %al, %dx
        mov     $'\n', %al
        out     %al, %dx
        mov     $DEBUG_EXIT, %dx
        xor     %eax, %eax
        out     %al, %dx
1:      cli
        hlt
        jmp     1b
