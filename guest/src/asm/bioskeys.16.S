# BIOS keyboard test: int 16h reads the characters piped to standard input. Peeks (01h) for the
# first key and prints its scan code and ASCII code, then reads keys (00h) and echoes them with
# int 10h until Enter, then prints the line it got.
# Checks: 1 = the peeked key differs from the key read.
# link: 0x7c00
        .include "realboot.inc"
        .code16
        .globl _start
_start:
        boot_entry
        sti
1:      mov     $0x01, %ah              # peek: ZF set while nothing was typed
        int     $0x16
        jz      1b
        mov     %ax, %dx
        call    bprint
        .asciz  "first key: "
        call    bhex16
        call    bprint
        .asciz  "\r\n"
        mov     $line, %di
2:      xor     %ah, %ah                # read (waits)
        int     $0x16
        cmp     %dx, %ax
        je      3f
        test    %dx, %dx
        jz      3f
        mov     $1, %al
        jmp     bfail
3:      xor     %dx, %dx
        cmp     $0x0d, %al
        je      4f
        mov     %al, (%di)
        inc     %di
        cmp     $line+32, %di
        jb      2b
4:      movb    $0, (%di)
        call    bprint
        .asciz  "got: "
        mov     $line, %si
        call    bputs
        call    bprint
        .asciz  "\r\n"
        jmp     bpass
        .include "bios16.inc"
line:   .org    510
        .byte   0x55, 0xaa
