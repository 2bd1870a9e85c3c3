# BIOS video test: a boot sector that prints only through int 10h (teletype 0Eh, write string
# 13h, char+attribute 09h), checks the cursor (03h) and the video mode (0Fh). The test reads the
# text on the serial console and on the VGA screen in the run result.
# Checks: 1 = cursor after the first line not at row 1 col 0, 2 = mode not 80-column mode 3,
# 3 = cursor after write string (13h, AL=1) wrong, 4 = int 10h 08h does not read back 09h's cell.
# link: 0x7c00
        .include "realboot.inc"
        .code16
        .globl _start
_start:
        boot_entry
        mov     $0x0003, %ax            # mode 3: clear screen, cursor home
        int     $0x10
        call    bprint
        .asciz  "hello from int 10h\r\n"
        mov     $0x03, %ah
        xor     %bh, %bh
        int     $0x10
        mov     $1, %al
        cmp     $0x0100, %dx
        jne     bfail
        mov     $0x0f, %ah
        int     $0x10
        cmp     $0x5003, %ax
        mov     $2, %al                 # (mov leaves the flags alone)
        jne     bfail
        mov     $0x1301, %ax            # write string, update cursor
        mov     $0x0007, %bx
        mov     $(strend - str), %cx
        mov     $0x0200, %dx            # row 2, col 0
        mov     $str, %bp
        int     $0x10
        mov     $0x03, %ah
        xor     %bh, %bh
        int     $0x10
        mov     $3, %al
        cmp     $0x0300, %dx            # the string ends with CR LF
        jne     bfail
        mov     $0x02, %ah            # cursor to row 4 col 10
        mov     $0x040a, %dx
        int     $0x10
        mov     $0x0923, %ax            # '#' x 3, attribute 1Eh
        mov     $0x001e, %bx
        mov     $3, %cx
        int     $0x10
        mov     $0x08, %ah
        int     $0x10
        cmp     $0x1e23, %ax
        mov     $4, %al
        jne     bfail
        mov     $0x02, %ah            # back below for the result line
        mov     $0x0500, %dx
        int     $0x10
        jmp     bpass
str:    .ascii  "string via 13h\r\n"
strend:
        .include "bios16.inc"
        .org    510
        .byte   0x55, 0xaa
