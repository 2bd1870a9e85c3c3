# ACPI client test guest (--format raw --load-addr 0x100000 --mode long): finds the RSDP as an OS
# does (ACPI 6.4, 5.2.5.1: the first KiB of the EBDA, whose segment is the word at 0x40E, then
# 0xE0000-0xFFFFF, at 16-byte boundaries, "RSD PTR " with a valid 20-byte checksum), checks the
# RSDP (fail 1: not found, 2: revision < 2, 3: extended checksum), the XSDT (4: signature or
# checksum), finds the MADT through the XSDT (5: absent or bad checksum) and counts its enabled
# Processor Local APIC entries (6: an entry with a zero length). Prints
# "acpi: madt lapics=0x<count>" and PASS.
# link: 0x100000
        .include "macros.inc"
        .code64
        .globl _start
_start: jmp     main
        .include "lib64.inc"

        .set    RSD_PTR, 0x2052545020445352     # "RSD PTR " as a little-endian quadword

main:   movzwl  0x40e, %eax
        shl     $4, %eax
        PRINT   "acpi: ebda=0x"
        call    hex64
        mov     %rax, %rsi
        mov     $1024, %ecx
        cmp     $0x400, %rax                    # no EBDA pointer: only the BIOS area
        jbe     1f
        cmp     $0xa0000, %rax
        jae     1f
        call    scan
        jnc     2f
1:      mov     $0xe0000, %esi
        mov     $0x20000, %ecx
        call    scan
        OK_IF   nc, 1
2:      PRINT   " rsdp=0x"
        mov     %rsi, %rax
        call    hex64
        PRINT   "\r\n"
        cmpb    $2, 15(%rsi)
        OK_IF   ae, 2
        mov     20(%rsi), %ecx                  # ACPI 2.0+ length, covered by the extended checksum
        cmp     $36, %ecx
        OK_IF   ae, 3
        call    sum
        OK_IF   z, 3
        mov     24(%rsi), %rsi                  # XSDT
        mov     $0x54445358, %eax               # "XSDT"
        call    table
        OK_IF   nc, 4
        mov     4(%rsi), %ecx
        sub     $36, %ecx
        shr     $3, %ecx                        # entries
        lea     36(%rsi), %rbx
3:      test    %ecx, %ecx
        jz      9f
        mov     (%rbx), %rsi
        add     $8, %rbx
        dec     %ecx
        cmpl    $0x43495041, (%rsi)             # "APIC"
        jne     3b
        mov     $0x43495041, %eax
        call    table
        OK_IF   nc, 5
        # Walk the interrupt controller structures after the 44-byte MADT header.
        mov     4(%rsi), %edx
        add     %rsi, %rdx                      # end
        lea     44(%rsi), %rbx
        xor     %eax, %eax                      # count
4:      cmp     %rdx, %rbx
        jae     5f
        movzbl  1(%rbx), %ecx
        test    %ecx, %ecx
        jnz     6f
        mov     $6, %al
        jmp     fail
6:      cmpb    $0, (%rbx)                      # Processor Local APIC
        jne     7f
        testb   $1, 4(%rbx)                     # enabled
        jz      7f
        inc     %eax
7:      add     %rcx, %rbx
        jmp     4b
5:      PRINT   "acpi: madt lapics=0x"
        call    hex64
        PRINT   "\r\n"
        jmp     pass
9:      mov     $5, %al
        jmp     fail

# scan: looks for the RSDP in [RSI, RSI+ECX) at 16-byte steps. CF clear and RSI = the RSDP when
# found, else CF set. Clobbers RAX, RCX.
scan:   push    %rdx
        mov     %rsi, %rdx
        add     %rcx, %rdx                      # end
1:      lea     20(%rsi), %rax
        cmp     %rdx, %rax
        ja      3f
        movabs  $RSD_PTR, %rax
        cmp     %rax, (%rsi)
        jne     2f
        mov     $20, %ecx
        call    sum
        jz      4f
2:      add     $16, %rsi
        jmp     1b
3:      pop     %rdx
        stc
        ret
4:      pop     %rdx
        clc
        ret

# table: the table at RSI must have signature EAX and a zero checksum over its length.
# CF clear if so. Clobbers RCX.
table:  cmp     %eax, (%rsi)
        jne     1f
        mov     4(%rsi), %ecx
        cmp     $36, %ecx
        jb      1f
        call    sum
        jnz     1f
        clc
        ret
1:      stc
        ret

# sum: ZF set when the ECX bytes at RSI sum to zero (mod 256). Preserves everything else.
sum:    push    %rax
        push    %rcx
        push    %rsi
        xor     %eax, %eax
1:      add     (%rsi), %al
        inc     %rsi
        dec     %ecx
        jnz     1b
        test    %al, %al
        pop     %rsi
        pop     %rcx
        pop     %rax
        ret
