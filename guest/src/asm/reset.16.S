# Reset test guest (raw, real mode, loaded at 0x7c00) with two entry points, one per reset path:
#   0x7c00  i8042: command 0xfe (pulse the reset line) to port 0x64, as Linux reboot=k does;
#   0x7c20  the reset control register: 0x02 then 0x06 (system reset) to port 0xcf9 (reboot=pci).
# Each prints what it does first. If the machine is still running afterwards the guest exits
# through port 0xf4 with status 1 (i8042) or 2 (0xcf9): the test expects a RESET outcome.
# link: 0x7c00
        .include "serial.inc"
        .code16
        .globl _start
_start:                                 # 0x7c00: the i8042
        mov     $msg_kbd, %si
        call    puts
        mov     $0xfe, %al
        out     %al, $0x64
        mov     $1, %al
        jmp     still_running
        .org    0x20
cf9:                                    # 0x7c20: port 0xcf9
        mov     $msg_cf9, %si
        call    puts
        mov     $0xcf9, %dx
        mov     $0x02, %al
        out     %al, %dx
        mov     $0x06, %al
        out     %al, %dx
        mov     $2, %al
still_running:
        out     %al, $DEBUG_EXIT
1:      hlt
        jmp     1b

        .include "lib16.inc"

msg_kbd: .asciz "reset: i8042 command 0xfe\r\n"
msg_cf9: .asciz "reset: 0xcf9 <- 0x02, 0x06\r\n"
