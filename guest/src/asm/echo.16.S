# The echo guest: a real-mode boot sector (512 bytes, 0x55AA at 510, entered at 0:0x7c00 as a
# BIOS would) that echoes COM1 input back to COM1, byte for byte, to test the console's input
# path. It initialises COM1 (115200 8N1, interrupts off), prints "echo guest ready\r\n", then
# polls LSR.DR, reads RBR and writes the byte back (polling LSR.THRE). It exits through the
# debug-exit port with status 0 on reading 0x04 (Ctrl-D) or after echoing a line "quit" (ended
# by \n or \r).
# The FIFO stays off (16450 mode) on purpose: turning it on empties the receiver, as on the chip,
# and piped input is already waiting in RBR when the guest starts, so "FIFO on" here would lose
# the first byte of "printf 'hello\n' | java -jar vmm.jar ...". The console is flow-controlled,
# so a 1-byte receiver loses nothing.
# link: 0x7c00
        .include "serial.inc"
        .set COM1_IER, 0x3f9
        .set COM1_FCR, 0x3fa
        .set COM1_LCR, 0x3fb
        .set COM1_MCR, 0x3fc
        .set LSR_DR, 0x01
        .set LINE_MAX, 5              # "quit" plus one: a longer line never matches
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
        # 8N1 at divisor 1 (115200), FIFO off, DTR|RTS, no interrupts.
        mov     $COM1_IER, %dx
        xor     %al, %al
        out     %al, %dx
        mov     $COM1_LCR, %dx
        mov     $0x80, %al            # DLAB
        out     %al, %dx
        mov     $COM1, %dx
        mov     $1, %al               # DLL
        out     %al, %dx
        mov     $COM1_IER, %dx
        xor     %al, %al              # DLM
        out     %al, %dx
        mov     $COM1_LCR, %dx
        mov     $0x03, %al            # 8 data bits, no parity, 1 stop bit, DLAB off
        out     %al, %dx
        mov     $COM1_FCR, %dx
        xor     %al, %al              # FIFO off (see above); no change, so RBR is kept
        out     %al, %dx
        mov     $COM1_MCR, %dx
        mov     $0x03, %al            # DTR | RTS
        out     %al, %dx

        mov     $banner, %si
1:      lodsb
        test    %al, %al
        jz      2f
        call    putc
        jmp     1b

2:      xor     %bx, %bx              # BX: length of the current line (saturates at LINE_MAX)
next:   mov     $COM1_LSR, %dx
3:      in      %dx, %al
        test    $LSR_DR, %al
        jz      3b
        mov     $COM1, %dx
        in      %dx, %al
        cmp     $0x04, %al            # Ctrl-D: done
        je      quit
        call    putc
        cmp     $'\n', %al
        je      eol
        cmp     $'\r', %al
        je      eol
        cmp     $LINE_MAX, %bx
        jae     next
        mov     %al, line(%bx)
        inc     %bx
        jmp     next
eol:    cmp     $4, %bx
        jne     4f
        cmpl    $0x74697571, line     # "quit", little-endian
        je      quit
4:      xor     %bx, %bx
        jmp     next

quit:   mov     $DEBUG_EXIT, %dx
        xor     %al, %al
        out     %al, %dx
5:      hlt
        jmp     5b

# putc: write AL to COM1 once THR is empty; keeps AL, clobbers DX.
putc:   push    %ax
        mov     $COM1_LSR, %dx
6:      in      %dx, %al
        test    $LSR_THRE, %al
        jz      6b
        pop     %ax
        mov     $COM1, %dx
        out     %al, %dx
        ret

banner: .asciz  "echo guest ready\r\n"
line:   .space  LINE_MAX + 1

        .org    510
        .byte   0x55, 0xaa
