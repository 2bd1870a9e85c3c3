# Unclaimed port and MMIO test guest (raw, 32-bit protected mode, paging off, at 0x100000).
# Port 0x1234 has no device: reads return all ones of the access size, the rest of EAX kept
# (fail 1 byte, 2 word, 3 dword); writes are ignored. Guest-physical 0xd0000000 is neither RAM nor
# a device (with less than 3 GiB of RAM): reads return all ones (4 byte, 5 word, 6 dword) and
# writes are dropped (7). The run must simply go on: exit 0 when all pass.
# link: 0x100000
        .include "macros.inc"
        .code32
        .set    PORT, 0x1234
        .set    MMIO, 0xd0000000
        .globl _start
_start: jmp     main
        .include "lib32.inc"
main:   mov     $PORT, %dx
        mov     $0x5a5a5a00, %eax
        in      %dx, %al
        PRINT   "port 0x1234: inb -> 0x"
        call    hex32
        cmp     $0x5a5a5aff, %eax
        OK_IF   e, 1
        mov     $0x5a5a0000, %eax
        in      %dx, %ax
        PRINT   " inw -> 0x"
        call    hex32
        cmp     $0x5a5affff, %eax
        OK_IF   e, 2
        xor     %eax, %eax
        in      %dx, %eax
        PRINT   " inl -> 0x"
        call    hex32
        cmp     $0xffffffff, %eax
        OK_IF   e, 3
        mov     $0x12345678, %eax
        mov     $PORT, %dx
        out     %al, %dx
        out     %ax, %dx
        out     %eax, %dx
        PRINT   "\r\nport 0x1234: outb/outw/outl ignored\r\n"
        mov     $MMIO, %ebx
        mov     $0x5a5a5a00, %eax
        movb    (%ebx), %al
        PRINT   "mmio 0xd0000000: byte -> 0x"
        call    hex32
        cmp     $0x5a5a5aff, %eax
        OK_IF   e, 4
        mov     $0x5a5a0000, %eax
        movw    (%ebx), %ax
        PRINT   " word -> 0x"
        call    hex32
        cmp     $0x5a5affff, %eax
        OK_IF   e, 5
        xor     %eax, %eax
        movl    (%ebx), %eax
        PRINT   " dword -> 0x"
        call    hex32
        cmp     $0xffffffff, %eax
        OK_IF   e, 6
        movl    $0x12345678, (%ebx)
        movw    $0x1234, 4(%ebx)
        movb    $0x12, 8(%ebx)
        movl    (%ebx), %eax
        PRINT   "\r\nmmio 0xd0000000: after writes dword -> 0x"
        call    hex32
        PRINT   "\r\n"
        cmp     $0xffffffff, %eax
        OK_IF   e, 7
        jmp     pass
