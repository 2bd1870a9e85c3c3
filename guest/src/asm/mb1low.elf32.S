# A Multiboot 1 ELF32 kernel linked below 64 KiB, as GRUB's i386-multiboot build is (a segment
# at 0x9000): its image with .bss spans [0x9000, 0x32000), over the default places of the vCPU
# area (0x1000..0x10000), the boot information (0x10000) and the command line (0x20000). The
# boot loader must put them around it. Checks, besides mb1check.inc: the information structure
# (EBX) lies outside the image (fail 0x40), so does the GDT the CPU was given (0x41) and the
# command line (0x42). Exit 0 if all pass.
# link: 0x9000
# ld: -n
        .include "macros.inc"
        .code32
        .text
        .globl _start
        .balign 4
mb_header:
        .long   0x1BADB002
        .long   0x00000002
        .long   0x100000000 - (0x1BADB002 + 0x00000002)
_start:
        mov     $stack_top, %esp
        PRINT   "mb1-low: entered at 0x"
        push    %eax
        mov     $_start, %eax
        call    hex32
        PRINT   " image ends at 0x"
        mov     $image_end, %eax
        call    hex32
        pop     %eax
        PRINT   "\r\n"
        push    %ebx
        call    mb1_checks
        pop     %ebx
        mov     %ebx, %eax
        call    outside_image
        OK_IF   nc, 0x40
        sgdt    gdtr
        mov     gdtr + 2, %eax
        PRINT   "gdt at 0x"
        call    hex32
        PRINT   "\r\n"
        call    outside_image
        OK_IF   nc, 0x41
        mov     16(%ebx), %eax
        call    outside_image
        OK_IF   nc, 0x42
        jmp     pass

# CF clear when [EAX, EAX + 0x100) lies outside [_start page, image_end), set otherwise.
outside_image:
        cmp     $image_end, %eax
        jae     1f
        lea     0x100(%eax), %edx
        cmp     $0x9000, %edx
        jbe     1f
        stc
        ret
1:      clc
        ret

        .include "lib32.inc"
        .include "mb1check.inc"
        .balign 16
gdtr:   .fill   8, 1, 0
        .fill   1024, 1, 0
stack_top:
        .bss
        .fill   0x28000, 1, 0
image_end:
