# BIOS memory-size test: int 15h E820 (every entry printed as "e820: BASE LENGTH TYPE" in hex),
# E801h, 88h, int 12h and int 11h; the test compares the entries with the machine's map.
# Checks: 1 = E820 failed or did not return 'SMAP', 2 = more than 32 entries, 3 = E801h failed,
# 4 = 88h failed, 5 = an unknown int 15h function did not fail with AH=86h.
# link: 0x7c00
        .include "realboot.inc"
        .code16
        .globl _start
_start:
        boot_entry
        xor     %ebx, %ebx
        xor     %si, %si                # entry count
next:   mov     $0xe820, %eax
        mov     $0x534d4150, %edx
        mov     $24, %ecx
        mov     $buf, %di
        int     $0x15
        jc      e820fail
        cmp     $0x534d4150, %eax
        jne     e820fail
        call    bprint
        .asciz  "e820: "
        mov     buf+4, %eax
        call    bhex32
        mov     buf, %eax
        call    bhex32
        call    bprint
        .asciz  " "
        mov     buf+12, %eax
        call    bhex32
        mov     buf+8, %eax
        call    bhex32
        call    bprint
        .asciz  " "
        mov     buf+16, %eax
        call    bhex32
        call    bprint
        .asciz  "\r\n"
        inc     %si
        cmp     $32, %si
        mov     $2, %al
        ja      bfail
        test    %ebx, %ebx
        jnz     next
        mov     $0xe801, %ax
        int     $0x15
        mov     $3, %al
        jc      bfail
        call    bprint
        .asciz  "e801: "
        mov     %cx, %ax
        call    bhex16
        call    bprint
        .asciz  " "
        mov     %dx, %ax
        call    bhex16
        call    bprint
        .asciz  "\r\n"
        mov     $0x88, %ah
        int     $0x15
        jc      f88
        call    bprint
        .asciz  "88: "
        call    bhex16
        call    bprint
        .asciz  "\r\nint12: "
        int     $0x12
        call    bhex16
        call    bprint
        .asciz  "\r\n"
        mov     $0xe9, %ah              # no such function
        int     $0x15
        jnc     f5
        cmp     $0x86, %ah
        jne     f5
        jmp     bpass
e820fail:
        mov     $1, %al
        jmp     bfail
f88:    mov     $4, %al
        jmp     bfail
f5:     mov     $5, %al
        jmp     bfail
        .include "bios16.inc"
buf:    .org    510
        .byte   0x55, 0xaa
