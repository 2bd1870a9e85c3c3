# The flood guest: a real-mode boot sector that writes 100 MiB (104857600 bytes) to COM1 as
# fast as it can, then exits through the debug-exit port with status 0. It tests that the
# VMM's memory stays bounded and that no byte is lost on the way to stdout.
# Output: 25600 copies of a 4096-byte block; line L (0..63) of a block is 63 bytes of the
# character '0'+L followed by '\n'. It never polls LSR (THRE is always 1 in this UART) and sends
# each block with one "rep outsb". KVM does not batch OUTS (every byte is one KVM_EXIT_IO), so
# the run costs one exit per byte: about 2 us on bare metal, 10-20 us under nested KVM.
# The number of blocks is the 32-bit word at offset 504 (just before the 0x55AA signature), so
# a test can patch a smaller amount into a copy of the image.
# link: 0x7c00
        .include "serial.inc"
        .set BUF, 0x8000              # the 4 KiB block, just above the boot sector
        .set BLOCK, 4096
        .set BLOCKS, 25600            # 25600 * 4096 = 100 MiB
        .code16
        .globl _start
_start:
        cli
        xor     %ax, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     $0x7c00, %sp
        cld
        # Build the block: 64 lines of 64 bytes.
        mov     $BUF, %di
        mov     $'0', %al
1:      mov     $63, %cx
        rep     stosb
        mov     %al, %bl
        mov     $'\n', %al
        stosb
        mov     %bl, %al
        inc     %al
        cmp     $'0' + 64, %al
        jne     1b

        mov     blocks, %ebx
        test    %ebx, %ebx
        jz      4f
        mov     $COM1, %dx
2:      mov     $BUF, %si
        mov     $BLOCK, %cx
        rep     outsb
        dec     %ebx
        jnz     2b

4:      mov     $DEBUG_EXIT, %dx
        xor     %al, %al
        out     %al, %dx
3:      hlt
        jmp     3b

        .org    504
blocks: .long   BLOCKS                # patchable: offset 504, little-endian
        .org    510
        .byte   0x55, 0xaa
