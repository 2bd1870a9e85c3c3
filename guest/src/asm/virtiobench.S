# Benchmark guest (raw --mode long, link 0x100000; the VMM maps 0xd0000000..0xd0008000).
# Finds the first virtio-mmio device and, polling (no interrupts), one request at a time:
#   virtio-blk (ID 2): reads the whole disk sequentially in 128 KiB requests;
#   virtio-console (ID 3): sends 100 MiB on transmitq (queue 1) in 64 KiB requests.
# Prints the number of requests, then PASS. Fails: 1 no device, 2 FEATURES_OK refused,
# 3 a request did not complete, 4 a block request failed.
# link: 0x100000
        .include "macros.inc"
        .code64
        .globl _start
_start: jmp     main
        .include "lib64.inc"

        .include "virtio.inc"
        .set    BUF, 0x300000
        .set    BLK_CHUNK, 0x20000          # 128 KiB = 256 sectors
        .set    CON_CHUNK, 0x10000          # 64 KiB
        .set    CON_REQUESTS, 1600          # 100 MiB

main:   mov     $0xd0000000, %rbx
        mov     $8, %ecx
1:      cmpl    $0x74726976, (%rbx)
        jne     2f
        mov     8(%rbx), %r12d              # device ID
        cmp     $2, %r12d
        je      3f
        cmp     $3, %r12d
        je      3f
2:      add     $0x1000, %rbx
        loop    1b
        xor     %eax, %eax
        test    %eax, %eax
        OK_IF   nz, 1
3:      movl    $0, 0x70(%rbx)
        movl    $3, 0x70(%rbx)              # ACKNOWLEDGE | DRIVER
        movl    $1, 0x24(%rbx)
        movl    $1, 0x20(%rbx)              # VERSION_1 only
        movl    $0xb, 0x70(%rbx)
        mov     0x70(%rbx), %eax
        bt      $3, %eax
        OK_IF   c, 2
        xor     %eax, %eax
        cmp     $3, %r12d
        jne     4f
        mov     $1, %eax                    # console: transmitq
4:      mov     %eax, 0x30(%rbx)            # QueueSel
        mov     %eax, %r13d                 # the queue to notify
        movl    $8, 0x38(%rbx)
        movl    $DESC, 0x80(%rbx)
        movl    $AVAIL, 0x90(%rbx)
        movl    $USED, 0xa0(%rbx)
        movl    $1, 0x44(%rbx)
        movl    $0xf, 0x70(%rbx)            # DRIVER_OK
        xor     %r14d, %r14d                # requests submitted (= avail idx)
        cmp     $3, %r12d
        je      console

        # virtio-blk: header / 128 KiB buffer / status, sector in r15.
        mov     0x100(%rbx), %r8d           # capacity (sectors, low half)
        xor     %r15d, %r15d
        movq    $HDR, DESC
        movl    $16, DESC + 8
        movw    $1, DESC + 12
        movw    $1, DESC + 14
        movq    $BUF, DESC + 16
        movl    $BLK_CHUNK, DESC + 24
        movw    $3, DESC + 28
        movw    $2, DESC + 30
        movq    $STAT, DESC + 32
        movl    $1, DESC + 40
        movw    $2, DESC + 44
        movl    $0, HDR                     # VIRTIO_BLK_T_IN
5:      cmp     %r8, %r15
        jae     done
        mov     %r15, HDR + 8
        movb    $0xff, STAT
        call    submit
        cmpb    $0, STAT
        OK_IF   e, 4
        add     $(BLK_CHUNK / 512), %r15
        jmp     5b

console:
        movq    $BUF, DESC
        movl    $CON_CHUNK, DESC + 8
        movw    $0, DESC + 12
        mov     $CON_REQUESTS, %r15d
6:      call    submit
        dec     %r15d
        jnz     6b

done:   PRINT   "requests 0x"
        mov     %r14, %rax
        call    hex64
        PRINT   "\r\n"
        jmp     pass

# submit: makes chain 0 available once more, kicks, waits for its completion.
submit: mov     %r14d, %eax
        and     $7, %eax
        movw    $0, AVAIL + 4(,%rax,2)
        inc     %r14d
        mov     %r14w, AVAIL + 2
        mov     %r13d, 0x50(%rbx)           # QueueNotify (an ioeventfd: no exit to the VMM)
        mov     $0x10000000, %ecx
1:      cmp     %r14w, USED + 2
        je      2f
        pause
        loop    1b
        xor     %eax, %eax
        test    %eax, %eax
        OK_IF   nz, 3
2:      ret
