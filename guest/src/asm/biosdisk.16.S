# BIOS disk test: a 3-sector disk image. The boot sector checks the EDD extensions (41h), the
# drive parameters (08h, 15h, 48h), loads sector 1 through int 13h CHS (02h) to 0x7E00 and
# sector 2 through the LBA extension (42h) to 0x8000, reads past the end of the disk (must fail
# with AH=04h), then runs code from both loaded sectors.
# Checks: 1 = 41h, 2 = CHS read, 3 = LBA read, 4 = read past the end not refused, 5 = 15h size,
# 6 = 48h, 7 = a second-stage signature wrong, 8 = 08h geometry.
# link: 0x7c00
        .include "realboot.inc"
        .code16
        .globl _start
_start:
        boot_entry
        mov     %dl, drive
        call    bprint
        .asciz  "biosdisk: boot drive 0x"
        mov     drive, %ah
        mov     $2, %cx
        call    bhex
        call    bprint
        .asciz  "\r\n"
        mov     $0x41, %ah              # EDD installation check
        mov     $0x55aa, %bx
        mov     drive, %dl
        int     $0x13
        mov     $1, %al
        jc      bfail
        cmp     $0xaa55, %bx
        jne     bfail
        mov     $0x08, %ah              # drive parameters: 1 cylinder, 16 heads, 63 sectors for 3 sectors
        mov     drive, %dl
        int     $0x13
        mov     $8, %al
        jc      bfail
        cmp     $0x003f, %cx
        jne     bfail
        cmp     $0x0f01, %dx
        jne     bfail
        mov     $0x15, %ah              # disk type and size
        mov     drive, %dl
        int     $0x13
        mov     $5, %al
        cmp     $0x03, %ah
        jne     bfail
        cmp     $3, %dx
        jne     bfail
        mov     $0x0201, %ax            # CHS read: 1 sector, cylinder 0 head 0 sector 2 -> 0x7e00
        mov     $0x0002, %cx
        mov     drive, %dl
        xor     %dh, %dh
        mov     $0x7e00, %bx
        int     $0x13
        mov     $2, %cl
        jc      fail_cl
        cmp     $1, %al
        jne     fail_cl
        mov     $0x42, %ah              # LBA read of sector 2 -> 0x8000
        mov     drive, %dl
        mov     $dap, %si
        int     $0x13
        mov     $3, %cl
        jc      fail_cl
        movw    $1, dap+2
        movl    $3, dap+8               # sector 3 is past the 3-sector disk
        mov     $0x42, %ah
        mov     drive, %dl
        mov     $dap, %si
        int     $0x13
        mov     $4, %cl
        jnc     fail_cl
        cmp     $0x04, %ah
        jne     fail_cl
        mov     $0x48, %ah              # EDD drive parameters
        mov     drive, %dl
        mov     $params, %si
        movw    $0x1e, params
        int     $0x13
        mov     $6, %cl
        jc      fail_cl
        cmpl    $3, params+16
        jne     fail_cl
        mov     $7, %al
        cmpl    $0x32474753, 0x7e00      # "SGG2"
        jne     bfail
        cmpl    $0x33474753, 0x8000      # "SGG3"
        jne     bfail
        call    0x7e04
        call    0x8004
        jmp     bpass
fail_cl:
        mov     %cl, %al
        jmp     bfail

drive:  .byte   0
dap:    .byte   0x10, 0
        .word   1, 0x8000, 0
        .quad   2
        .include "bios16.inc"
params: .org    510
        .byte   0x55, 0xaa
sector1:
        .ascii  "SGG2"
        call    bprint
        .asciz  "stage 2 loaded by int 13h CHS\r\n"
        ret
        .org    1024
sector2:
        .ascii  "SGG3"
        call    bprint
        .asciz  "stage 3 loaded by int 13h LBA\r\n"
        ret
        .org    1536
