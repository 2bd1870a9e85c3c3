# VGA-only test: a boot sector that writes its text straight into the VGA text buffer at 0xB8000
# (no BIOS call, no serial port) and exits through the debug-exit port; the test reads the screen
# from the run result.
# link: 0x7c00
        .code16
        .globl _start
_start:
        cli
        xor     %ax, %ax
        mov     %ax, %ds
        mov     $0xb800, %ax
        mov     %ax, %es
        mov     $msg, %si
        mov     $(80 * 2 * 3), %di      # row 3, column 0
        mov     $0x1f, %ah              # white on blue
1:      lodsb
        test    %al, %al
        jz      2f
        stosw
        jmp     1b
2:      xor     %al, %al
        out     %al, $0xf4
3:      hlt
        jmp     3b
msg:    .asciz  "written only to VGA text memory"
        .org    510
        .byte   0x55, 0xaa
