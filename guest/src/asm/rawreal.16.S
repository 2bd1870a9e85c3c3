# Raw real-mode test guest (--format raw --load-addr 0x12000 --entry 0x12345 --mode real): an
# entry above 64 KiB must become CS:IP = 1000:2345 with DS = CS. Checks CS (fail 1), IP (2),
# DS (3) and CR0.PE clear (4), prints them, exits 0 if all pass. Linked at 0x2000: offsets in CS.
# link: 0x2000
        .include "serial.inc"
        .code16
        .globl _start
_start:
        .org    0x345
entry:  cli
        mov     %cs, %bx                # BX = CS, CX = DS at entry
        mov     %ds, %cx
        mov     %bx, %ss
        mov     $0x2000, %sp            # stack below the image, in CS's segment
        mov     %bx, %ds
        call    here
here:   pop     %di
        sub     $(here - entry), %di    # DI = IP of entry
        mov     $msg, %si
        call    puts
        mov     %bx, %ax
        call    hex16
        mov     $msg_colon, %si
        call    puts
        mov     %di, %ax
        call    hex16
        mov     $msg_ds, %si
        call    puts
        mov     %cx, %ax
        call    hex16
        mov     $msg_crlf, %si
        call    puts
        mov     $1, %al
        cmp     $0x1000, %bx
        jne     exit
        mov     $2, %al
        cmp     $0x2345, %di
        jne     exit
        mov     $3, %al
        cmp     $0x1000, %cx
        jne     exit
        mov     $4, %al
        smsw    %dx
        test    $1, %dl
        jnz     exit
        mov     $msg_pass, %si
        call    puts
        xor     %al, %al
exit:   out     %al, $DEBUG_EXIT
1:      hlt
        jmp     1b

        .include "lib16.inc"

# hex16: AX as 4 hex digits (uses SI, DX).
hex16:  push    %cx
        mov     $4, %cx
1:      rol     $4, %ax
        push    %ax
        and     $0xf, %al
        add     $'0', %al
        cmp     $'9', %al
        jbe     2f
        add     $('a' - '9' - 1), %al
2:      mov     %al, %ah
        mov     $COM1_LSR, %dx
3:      in      %dx, %al
        test    $LSR_THRE, %al
        jz      3b
        mov     $COM1, %dx
        mov     %ah, %al
        out     %al, %dx
        pop     %ax
        loop    1b
        pop     %cx
        ret

msg:       .asciz "rawreal: CS:IP=0x"
msg_colon: .asciz ":0x"
msg_ds:    .asciz " DS=0x"
msg_crlf:  .asciz "\r\n"
msg_pass:  .asciz "PASS\r\n"
