# IDE PIO test guest (raw, 32-bit protected mode, paging off, at 0x100000; 64 MiB RAM).
# Drives the primary master with polled PIO (nIEN set): IDENTIFY DEVICE, READ SECTORS (LBA28),
# READ SECTORS EXT (LBA48), WRITE SECTORS and WRITE SECTORS EXT of a known pattern, FLUSH CACHE,
# a read-back with SET MULTIPLE + READ MULTIPLE, and a read past the end. The test checks the
# printed sums against the image it made, and the image file afterwards.
# The image's sector s holds dword 0 = s (checked here: fail 5/6); the writes put dword i =
# 0xc0de0000 + i over LBA 10-11 and 0xe48e0000 + i over LBA 50. On a read-only disk the writes
# end with ERR (printed as "refused", not a failure); the rest runs the same.
# link: 0x100000
        .include "macros.inc"
        .code32
        .set    BUF, 0x200000
        .globl _start
_start: jmp     main
        .include "lib32.inc"
        .include "ata.inc"

# sum: EAX = the sum of the ECX dwords at ESI.
sum:    push    %esi
        push    %ecx
        xor     %eax, %eax
1:      add     (%esi), %eax
        add     $4, %esi
        loop    1b
        pop     %ecx
        pop     %esi
        ret

# read_into: after a PIO-in command for ECX sectors, reads them one DRQ block of 1 sector at a time
# into EDI with 32-bit rep insl. Fails 4 on ERR or a missing DRQ.
read_into:
        push    %ecx
        push    %edx
        push    %edi
        cld
1:      call    ata_wait
        test    $ST_ERR, %al
        OK_IF   z, 4
        test    $ST_DRQ, %al
        OK_IF   nz, 4
        push    %ecx
        mov     $128, %ecx
        mov     $ATA_DATA, %dx
        rep insl
        pop     %ecx
        loop    1b
        pop     %edi
        pop     %edx
        pop     %ecx
        ret

# write_from: after a PIO-out command for ECX sectors, writes them from ESI one sector per DRQ
# block with rep outsl. Returns AL = the final status, AH = the error register.
write_from:
        push    %ecx
        push    %edx
        push    %esi
        cld
1:      call    ata_wait
        test    $ST_ERR, %al
        jnz     2f
        test    $ST_DRQ, %al
        jz      2f
        push    %ecx
        mov     $128, %ecx
        mov     $ATA_DATA, %dx
        rep outsl
        pop     %ecx
        loop    1b
        call    ata_wait
2:      mov     %al, %cl
        mov     $ATA_ERROR, %dx
        in      %dx, %al
        mov     %al, %ah
        mov     %cl, %al
        pop     %esi
        pop     %edx
        pop     %ecx
        ret

# report_write: prints " ok" or " refused status 0x.. error 0x.." for AL/AH from write_from.
report_write:
        test    $ST_ERR, %al
        jnz     1f
        PRINT   " ok\r\n"
        ret
1:      PRINT   " refused status 0x"
        call    hex8
        PRINT   " error 0x"
        xchg    %al, %ah
        call    hex8
        xchg    %al, %ah
        PRINT   "\r\n"
        ret

# fill: ECX dwords at EDI = EAX + i.
fill:   push    %edi
        push    %ecx
        push    %eax
1:      mov     %eax, (%edi)
        inc     %eax
        add     $4, %edi
        loop    1b
        pop     %eax
        pop     %ecx
        pop     %edi
        ret

main:   OUTP    ATA_CONTROL, $0x02      # nIEN: this guest polls
        call    ata_wait
        PRINT   "status 0x"
        call    hex8
        cmp     $0x50, %al
        OK_IF   e, 1

        # IDENTIFY DEVICE
        OUTP    ATA_DEVICE, $0xa0
        OUTP    ATA_STATUS, $0xec
        mov     $1, %ecx
        mov     $BUF, %edi
        call    read_into
        PRINT   "\r\nidentify: lba28 sectors 0x"
        mov     BUF + 2 * 60, %eax
        mov     %eax, %ebp              # EBP = the disk's size in sectors
        call    hex32
        PRINT   " lba48 sectors 0x"
        mov     BUF + 2 * 100, %eax
        call    hex32
        cmp     %eax, %ebp
        OK_IF   e, 2
        PRINT   " word83 0x"
        movzwl  BUF + 2 * 83, %eax
        call    hex32
        test    $0x0400, %eax
        OK_IF   nz, 3
        PRINT   " model '"
        mov     $BUF + 2 * 27, %esi
        mov     $20, %ecx
        call    ata_string
        PRINT   "' serial '"
        mov     $BUF + 2 * 10, %esi
        mov     $10, %ecx
        call    ata_string
        PRINT   "'"
        mov     $BUF, %esi              # integrity word: the 512 bytes sum to 0 (mod 256)
        mov     $512, %ecx
        xor     %eax, %eax
1:      add     (%esi), %al
        inc     %esi
        loop    1b
        test    %al, %al
        OK_IF   z, 7
        PRINT   " checksum ok\r\n"

        # READ SECTORS, LBA28: sectors 1 and 2
        mov     $0x20, %al
        mov     $1, %ebx
        mov     $2, %ecx
        call    ata_cmd28
        mov     $BUF, %edi
        call    read_into
        cmpl    $1, BUF
        OK_IF   e, 5
        cmpl    $2, BUF + 512
        OK_IF   e, 5
        mov     $BUF, %esi
        mov     $256, %ecx
        call    sum
        PRINT   "read lba28 1+2: sum 0x"
        call    hex32
        PRINT   "\r\n"

        # READ SECTORS EXT, LBA48: sectors 40..42
        mov     $0x24, %al
        mov     $40, %ebx
        mov     $3, %ecx
        call    ata_cmd48
        mov     $BUF, %edi
        call    read_into
        cmpl    $40, BUF
        OK_IF   e, 6
        cmpl    $42, BUF + 1024
        OK_IF   e, 6
        mov     $BUF, %esi
        mov     $384, %ecx
        call    sum
        PRINT   "read lba48 40+3: sum 0x"
        call    hex32
        PRINT   "\r\n"

        # WRITE SECTORS, LBA28: sectors 10 and 11
        mov     $BUF, %edi
        mov     $256, %ecx
        mov     $0xc0de0000, %eax
        call    fill
        mov     $0x30, %al
        mov     $10, %ebx
        mov     $2, %ecx
        call    ata_cmd28
        mov     $BUF, %esi
        call    write_from
        PRINT   "write lba28 10+2:"
        call    report_write

        # WRITE SECTORS EXT, LBA48: sector 50
        mov     $BUF, %edi
        mov     $128, %ecx
        mov     $0xe48e0000, %eax
        call    fill
        mov     $0x34, %al
        mov     $50, %ebx
        mov     $1, %ecx
        call    ata_cmd48
        mov     $BUF, %esi
        call    write_from
        PRINT   "write lba48 50+1:"
        call    report_write

        # FLUSH CACHE
        OUTP    ATA_DEVICE, $0xe0
        OUTP    ATA_STATUS, $0xe7
        call    ata_wait
        PRINT   "flush: status 0x"
        call    hex8
        PRINT   "\r\n"
        test    $ST_ERR, %al
        OK_IF   z, 8

        # SET MULTIPLE 2, then READ MULTIPLE of sectors 10-11: one DRQ block of 2 sectors
        OUTP    ATA_COUNT, $2
        OUTP    ATA_STATUS, $0xc6
        call    ata_wait
        test    $ST_ERR, %al
        OK_IF   z, 9
        mov     $0xc4, %al
        mov     $10, %ebx
        mov     $2, %ecx
        call    ata_cmd28
        call    ata_wait
        test    $ST_DRQ, %al
        OK_IF   nz, 9
        mov     $BUF, %edi
        mov     $256, %ecx
        mov     $ATA_DATA, %dx
        cld
        rep insl
        call    ata_wait
        test    $(ST_DRQ | ST_ERR), %al
        OK_IF   z, 9
        mov     $BUF, %esi
        mov     $256, %ecx
        call    sum
        PRINT   "read multiple lba28 10+2: sum 0x"
        call    hex32
        PRINT   "\r\n"

        # One sector past the end: ERR with IDNF
        mov     $0x20, %al
        mov     %ebp, %ebx
        mov     $1, %ecx
        call    ata_cmd28
        call    ata_wait
        PRINT   "past the end: status 0x"
        call    hex8
        mov     %al, %bl
        mov     $ATA_ERROR, %dx
        in      %dx, %al
        PRINT   " error 0x"
        call    hex8
        PRINT   "\r\n"
        cmp     $0x51, %bl
        OK_IF   e, 10
        cmp     $0x10, %al
        OK_IF   e, 10
        jmp     pass

# ata_string: prints the ATA string of ECX words at ESI (high byte first in each word).
ata_string:
        push    %esi
        push    %ecx
        push    %eax
1:      mov     1(%esi), %al
        call    putc
        mov     (%esi), %al
        call    putc
        add     $2, %esi
        loop    1b
        pop     %eax
        pop     %ecx
        pop     %esi
        ret
