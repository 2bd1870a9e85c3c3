# IDE PIO read benchmark guest (raw, 32-bit protected mode, paging off, at 0x100000; 64 MiB RAM).
# Reads the whole primary-master disk (its size from IDENTIFY words 100-101) with polled PIO,
# silently, then prints one line and exits 0 (fail 1: a block whose first dword is not its LBA,
# 2: ERR or no DRQ). The benchmark harness (IdeBench) times run() to the first serial byte and
# subtracts the same for a tiny disk. Dword 1 of sector 0 picks the method:
#   0  READ MULTIPLE EXT, 16-sector DRQ blocks, rep insl (one status read per 16 sectors)
#   1  READ SECTORS EXT, 1-sector blocks, rep insl (one status read per sector)
#   2  READ MULTIPLE EXT, 16-sector blocks, rep insw
# Every sector's dword 0 holds its LBA; the first of each block is checked.
# link: 0x100000
        .include "macros.inc"
        .code32
        .set    BUF, 0x200000
        .globl _start
_start: jmp     main
        .include "lib32.inc"
        .include "ata.inc"

mode:   .long   0

main:   OUTP    ATA_CONTROL, $0x02      # nIEN: polled
        call    ata_wait
        OUTP    ATA_DEVICE, $0xa0
        OUTP    ATA_STATUS, $0xec       # IDENTIFY
        call    ata_wait
        mov     $ATA_DATA, %dx
        mov     $BUF, %edi
        mov     $256, %ecx
        cld
        rep insw
        mov     BUF + 200, %ebp         # EBP = sectors (LBA48 capacity, low 32 bits)
        mov     $0x20, %al              # READ SECTORS 0: the method
        xor     %ebx, %ebx
        mov     $1, %ecx
        call    ata_cmd28
        call    ata_wait
        mov     $ATA_DATA, %dx
        mov     $BUF, %edi
        mov     $128, %ecx
        rep insl
        mov     BUF + 4, %eax
        mov     %eax, mode
        OUTP    ATA_COUNT, $16
        OUTP    ATA_STATUS, $0xc6       # SET MULTIPLE 16
        call    ata_wait

        xor     %ebx, %ebx              # EBX = next LBA
next_cmd:
        mov     %ebp, %edi
        sub     %ebx, %edi              # EDI = sectors left on the disk
        jz      done
        cmp     $65536, %edi
        jbe     1f
        mov     $65536, %edi            # at most 65536 sectors per EXT command
1:      mov     %edi, %ecx              # (65536 -> count 0, which means 65536)
        mov     $0x29, %al              # READ MULTIPLE EXT
        cmpl    $1, mode
        jne     2f
        mov     $0x24, %al              # READ SECTORS EXT
2:      call    ata_cmd48
next_block:
        call    ata_wait
        and     $(ST_DRQ | ST_ERR), %al
        cmp     $ST_DRQ, %al
        OK_IF   e, 2
        mov     $16, %esi
        cmpl    $1, mode
        jne     3f
        mov     $1, %esi
3:      cmp     %edi, %esi
        jbe     4f
        mov     %edi, %esi              # ESI = sectors in this block
4:      mov     %esi, %ecx
        shl     $7, %ecx                # dwords
        mov     $ATA_DATA, %dx
        push    %edi
        mov     $BUF, %edi
        cmpl    $2, mode
        je      5f
        rep insl
        jmp     6f
5:      shl     $1, %ecx
        rep insw
6:      pop     %edi
        cmp     %ebx, BUF
        OK_IF   e, 1
        add     %esi, %ebx
        sub     %esi, %edi
        jnz     next_block
        jmp     next_cmd

done:   PRINT   "read 0x"
        mov     %ebx, %eax
        call    hex32
        PRINT   " sectors\r\n"
        xor     %eax, %eax
        jmp     exit
