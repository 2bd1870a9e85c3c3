# virtio-blk on the virtio-mmio transport, driven directly (raw --mode long, link 0x100000,
# the VMM maps the MMIO window 0xd0000000..0xd0008000 for it). Polls, no interrupts.
# Finds the first virtio-mmio block device, negotiates VERSION_1 only, sets up queue 0 (8 entries),
# writes sector 2 (bytes i ^ 0x5a), reads sectors 1-2 back (sector 1 starts "VIRTIOBK", put there
# by the host), then makes a descriptor point outside RAM and checks that the device answers
# with DEVICE_NEEDS_RESET and completes nothing, and that a reset clears it.
# Fails: 1 no device, 2 no VERSION_1, 3 FEATURES_OK refused, 4 QueueNumMax < 8, 5 capacity != 128,
# 6 write not completed, 7 write status, 8 read not completed/status, 9 sector 1 data, 10 sector 2
# data, 11 no NEEDS_RESET, 12 hostile request completed, 13 reset did not clear status, 14 queue
# still ready after reset.
# link: 0x100000
        .include "macros.inc"
        .code64
        .globl _start
_start: jmp     main
        .include "lib64.inc"

        .include "virtio.inc"
        .set    WBUF, 0x210000
        .set    RBUF, 0x220000

# desc n, addr, len, flags, next
        .macro  DESC_SET n, addr, len, flags, next
        movq    $\addr, DESC + 16*\n
        movl    $\len, DESC + 16*\n + 8
        movw    $\flags, DESC + 16*\n + 12
        movw    $\next, DESC + 16*\n + 14
        .endm

main:   mov     $0xd0000000, %rbx
        mov     $8, %ecx
1:      cmpl    $0x74726976, (%rbx)
        jne     2f
        cmpl    $2, 4(%rbx)
        jne     2f
        cmpl    $2, 8(%rbx)
        je      3f
2:      add     $0x1000, %rbx
        loop    1b
        xor     %eax, %eax
        test    %eax, %eax
        OK_IF   nz, 1
3:      PRINT   "virtio-blk at 0x"
        mov     %rbx, %rax
        call    hex64
        PRINT   "\r\n"
        movl    $0, 0x70(%rbx)          # reset
        movl    $1, 0x70(%rbx)          # ACKNOWLEDGE
        movl    $3, 0x70(%rbx)          # DRIVER
        movl    $1, 0x14(%rbx)          # DeviceFeaturesSel = 1
        mov     0x10(%rbx), %eax
        bt      $0, %eax                # VERSION_1 (bit 32)
        OK_IF   c, 2
        movl    $1, 0x24(%rbx)
        movl    $1, 0x20(%rbx)          # DriverFeatures[63:32] = VERSION_1
        movl    $0, 0x24(%rbx)
        movl    $0, 0x20(%rbx)
        movl    $0xb, 0x70(%rbx)        # FEATURES_OK
        mov     0x70(%rbx), %eax
        bt      $3, %eax
        OK_IF   c, 3
        movl    $0, 0x30(%rbx)          # QueueSel 0
        mov     0x34(%rbx), %eax
        cmp     $8, %eax
        OK_IF   ae, 4
        movl    $8, 0x38(%rbx)
        movl    $DESC, 0x80(%rbx)
        movl    $0, 0x84(%rbx)
        movl    $AVAIL, 0x90(%rbx)
        movl    $0, 0x94(%rbx)
        movl    $USED, 0xa0(%rbx)
        movl    $0, 0xa4(%rbx)
        movl    $1, 0x44(%rbx)          # QueueReady
        movl    $0xf, 0x70(%rbx)        # DRIVER_OK
        mov     0x100(%rbx), %eax       # capacity (low half)
        cmp     $128, %eax
        OK_IF   e, 5
        PRINT   "negotiated: queue 0 ready with 128 sectors\r\n"

        # Write sector 2 from WBUF.
        mov     $WBUF, %rdi
        xor     %ecx, %ecx
4:      mov     %cl, %al
        xor     $0x5a, %al
        mov     %al, (%rdi,%rcx)
        inc     %ecx
        cmp     $512, %ecx
        jb      4b
        movl    $1, HDR                 # VIRTIO_BLK_T_OUT
        movl    $0, HDR + 4
        movq    $2, HDR + 8
        movb    $0xff, STAT
        DESC_SET 0, HDR, 16, 1, 1
        DESC_SET 1, WBUF, 512, 1, 2
        DESC_SET 2, STAT, 1, 2, 0
        movw    $0, AVAIL + 4
        movw    $1, AVAIL + 2
        movl    $0, 0x50(%rbx)          # QueueNotify
        mov     $1, %eax
        call    wait_used
        OK_IF   c, 6
        cmpb    $0, STAT
        OK_IF   e, 7
        PRINT   "wrote sector 2\r\n"

        # Read sectors 1-2 into RBUF.
        movl    $0, HDR + 16            # VIRTIO_BLK_T_IN
        movl    $0, HDR + 20
        movq    $1, HDR + 24
        movb    $0xff, STAT + 1
        DESC_SET 3, HDR + 16, 16, 1, 4
        DESC_SET 4, RBUF, 1024, 3, 5
        DESC_SET 5, STAT + 1, 1, 2, 0
        movw    $3, AVAIL + 6
        movw    $2, AVAIL + 2
        movl    $0, 0x50(%rbx)
        mov     $2, %eax
        call    wait_used
        OK_IF   c, 8
        cmpb    $0, STAT + 1
        OK_IF   e, 8
        movabs  $0x4b424f4954524956, %rax   # "VIRTIOBK"
        cmp     RBUF, %rax
        OK_IF   e, 9
        mov     $WBUF, %rsi
        mov     $RBUF + 512, %rdi
        mov     $512, %ecx
        repe cmpsb
        OK_IF   e, 10
        PRINT   "read sectors 1-2 back\r\n"

        # Hostile: the data buffer lies outside guest RAM.
        movabs  $0xfffffffff0000000, %rax
        mov     %rax, DESC + 16*4
        movw    $3, AVAIL + 8
        movw    $3, AVAIL + 2
        movl    $0, 0x50(%rbx)
        mov     $0x10000000, %ecx
5:      mov     0x70(%rbx), %eax
        bt      $6, %eax                # DEVICE_NEEDS_RESET
        jc      6f
        pause
        loop    5b
6:      OK_IF   c, 11
        cmpw    $2, USED + 2
        OK_IF   e, 12
        PRINT   "buffer outside RAM: DEVICE_NEEDS_RESET, nothing completed\r\n"
        movl    $0, 0x70(%rbx)          # reset
        mov     0x70(%rbx), %eax
        test    %eax, %eax
        OK_IF   z, 13
        mov     0x44(%rbx), %eax
        test    %eax, %eax
        OK_IF   z, 14
        PRINT   "reset clears the device\r\n"
        jmp     pass

# wait_used: waits until the used index (16-bit) equals AX; CF=1 when it did.
wait_used:
        push    %rcx
        mov     $0x10000000, %ecx
1:      cmpw    %ax, USED + 2
        je      2f
        pause
        loop    1b
        pop     %rcx
        clc
        ret
2:      pop     %rcx
        stc
        ret
