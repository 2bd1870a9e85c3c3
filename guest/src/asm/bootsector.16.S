# Boot-sector test guest: 512 bytes ending 0x55AA, loaded by the VMM at 0x7c00 and entered in
# real mode as a BIOS would. Checks the boot protocol: DL = 0x80 (first hard disk), CS:IP =
# 0000:7C00, CR0.PE clear. Prints what it found over COM1 and exits through port 0xf4:
# 0 = all checks passed, 1 = DL wrong, 2 = CS wrong, 3 = IP wrong, 4 = not in real mode.
# link: 0x7c00
        .include "serial.inc"
        .code16
        .globl _start
_start:
        cli
        mov     %dl, %bl                # BL = boot drive, before anything clobbers DL
        mov     %cs, %cx                # CX = CS at entry
        xor     %ax, %ax
        mov     %ax, %ss
        mov     $0x7c00, %sp
        mov     %ax, %ds
        mov     %ax, %es
        call    here
here:   pop     %di
        sub     $(here - _start), %di   # DI = IP of _start as the CPU saw it
        call    print_inline
        .asciz  "bootsector: real mode, DL=0x"
        mov     %bl, %ah
        mov     $2, %cx
        call    hexn
        call    print_inline
        .asciz  " CS:IP=0x"
        mov     %cs, %ax
        mov     $4, %cx
        call    hexn
        call    print_inline
        .asciz  ":0x"
        mov     %di, %ax
        call    hexn
        call    print_inline
        .asciz  "\r\n"
        mov     $1, %al
        cmp     $0x80, %bl
        jne     fail
        mov     $2, %al
        mov     %cs, %dx
        test    %dx, %dx
        jnz     fail
        mov     $3, %al
        cmp     $0x7c00, %di
        jne     fail
        mov     $4, %al
        smsw    %dx
        test    $1, %dl
        jnz     fail
        call    print_inline
        .asciz  "PASS\r\n"
        xor     %al, %al
        jmp     exit

fail:   push    %ax
        call    print_inline
        .asciz  "FAIL: check 0x"
        pop     %ax
        mov     %al, %ah
        mov     $2, %cx
        call    hexn
        mov     %ah, %al
exit:   mov     $DEBUG_EXIT, %dx
        out     %al, %dx
1:      hlt
        jmp     1b

# putc: AL to COM1. Preserves all registers.
putc:   push    %dx
        push    %ax
        mov     $COM1_LSR, %dx
1:      in      %dx, %al
        test    $LSR_THRE, %al
        jz      1b
        pop     %ax
        mov     $COM1, %dx
        out     %al, %dx
        pop     %dx
        ret

# print_inline: prints the NUL-terminated string after the call, returns past it.
print_inline:
        push    %bp
        mov     %sp, %bp
        xchg    %si, 2(%bp)
        push    %ax
1:      lodsb
        test    %al, %al
        jz      2f
        call    putc
        jmp     1b
2:      pop     %ax
        xchg    %si, 2(%bp)
        pop     %bp
        ret

# hexn: prints the top CX nibbles of AX as hex digits. Preserves all registers.
hexn:   push    %cx
        push    %ax
1:      rol     $4, %ax
        push    %ax
        and     $0xf, %al
        add     $'0', %al
        cmp     $'9', %al
        jbe     2f
        add     $('a' - '9' - 1), %al
2:      call    putc
        pop     %ax
        loop    1b
        pop     %ax
        pop     %cx
        ret

        .org    510
        .byte   0x55, 0xaa
