# SMP test guest (raw, 32-bit protected mode, paging off, at 0x100000; run with 2 vCPUs).
# The BSP checks it is the BSP with APIC ID 0 (IA32_APIC_BASE, LAPIC ID register; fail 1, 2) and
# that the MP table lists 2 enabled processors (3), copies a real-mode trampoline to TRAMPOLINE
# (free low memory below 1 MiB, outside the VMM's vCPU area [0x1000, 0x10000)) and starts the AP
# with INIT-SIPI-SIPI through the local APIC ICR (fail 4 if the ICR never becomes idle). The AP
# starts in real mode at TRAMPOLINE, stores its initial APIC ID (CPUID 1) and increments a counter
# there. The BSP waits for the counter (bounded by the TSC, fail 5), then checks counter = 1 (6)
# and AP APIC ID = 1 (7), prints "AP started" and exits 0. Also: the MP table checksums (8), and
# LVT LINT0 = ExtINT, LINT1 = NMI (9).
# link: 0x100000
        .include "macros.inc"
        .code32
        .set    TRAMPOLINE, 0x70000             # SIPI vector 0x70
        .set    LAPIC, 0xfee00000
        .set    ICR_LO, 0x300
        .set    ICR_HI, 0x310
        .set    COUNTER, TRAMPOLINE + (tr_counter - tr_start)
        .set    AP_APICID, TRAMPOLINE + (tr_apicid - tr_start)
        .globl _start
_start: jmp     main
        .include "lib32.inc"

main:   mov     $0x1b, %ecx             # IA32_APIC_BASE
        rdmsr
        PRINT   "smp: apic_base=0x"
        call    hex32
        mov     %eax, %edx
        and     $0xfffff000, %edx
        cmp     $LAPIC, %edx
        OK_IF   e, 1
        bt      $8, %eax                # BSP flag
        OK_IF   c, 1
        mov     $LAPIC, %ebx
        mov     0x20(%ebx), %eax        # LAPIC ID register
        shr     $24, %eax
        PRINT   " bsp apic id=0x"
        call    hex32
        PRINT   "\r\n"
        test    %eax, %eax
        OK_IF   z, 2

        # LVT LINT0 = ExtINT and LINT1 = NMI, as a PC BIOS leaves them.
        PRINT   "lint0=0x"
        mov     0x350(%ebx), %eax
        call    hex32
        and     $0x700, %eax
        cmp     $0x700, %eax
        OK_IF   e, 9
        PRINT   " lint1=0x"
        mov     0x360(%ebx), %eax
        call    hex32
        PRINT   "\r\n"
        and     $0x700, %eax
        cmp     $0x400, %eax
        OK_IF   e, 9

        # The MP table, found as the MP spec says: the floating pointer "_MP_" on a 16-byte
        # boundary in the first KiB of the EBDA, whose segment the BDA holds at 0x40E (fail 3);
        # then the configuration table "PCMP"; both with bytes summing to zero (fail 8).
        movzwl  0x40e, %esi
        shl     $4, %esi
        OK_IF   nz, 3                   # a zero EBDA segment: the BDA was not filled in
        lea     1024(%esi), %edi
4:      cmpl    $0x5f504d5f, (%esi)
        je      5f
        add     $16, %esi
        cmp     %edi, %esi
        jb      4b
        OK_IF   b, 3                    # not found (CF clear after the last compare)
5:      push    %esi
        movzbl  8(%esi), %ecx           # length in 16-byte units
        shl     $4, %ecx
        call    sum8
        OK_IF   z, 8
        pop     %esi
        mov     4(%esi), %esi
        cmpl    $0x504d4350, (%esi)
        OK_IF   e, 3
        movzwl  4(%esi), %ecx           # base table length
        call    sum8
        OK_IF   z, 8
        PRINT   "mp table checksums ok\r\n"
        movzwl  34(%esi), %ecx          # entry count
        add     $44, %esi
        xor     %edx, %edx              # enabled processors
1:      cmpb    $0, (%esi)
        jne     2f
        testb   $1, 3(%esi)             # cpu_flags.EN
        jz      3f
        inc     %edx
3:      add     $20, %esi
        loop    1b
        jmp     4f
2:      add     $8, %esi
        loop    1b
4:      PRINT   "mp table: processors=0x"
        mov     %edx, %eax
        call    hex32
        PRINT   "\r\n"
        cmp     $2, %edx
        OK_IF   e, 3

        # The trampoline, and its shared words cleared.
        mov     $tr_start, %esi
        mov     $TRAMPOLINE, %edi
        mov     $(tr_end - tr_start), %ecx
        cld
        rep movsb
        movl    $0, COUNTER
        movl    $0xffffffff, AP_APICID

        # INIT, then SIPI twice (Intel SDM vol. 3 "MP initialization"), to APIC ID 1.
        movl    $(1 << 24), ICR_HI(%ebx)
        movl    $0x00004500, ICR_LO(%ebx)       # INIT, assert, physical
        call    wait_icr
        movl    $(1 << 24), ICR_HI(%ebx)
        movl    $(0x00004600 | (TRAMPOLINE >> 12)), ICR_LO(%ebx)  # start-up
        call    wait_icr
        movl    $(1 << 24), ICR_HI(%ebx)
        movl    $(0x00004600 | (TRAMPOLINE >> 12)), ICR_LO(%ebx)
        call    wait_icr
        PRINT   "INIT-SIPI-SIPI sent\r\n"

        # Wait for the AP: at most 8 * 2^32 TSC ticks (seconds at any TSC rate).
        rdtsc
        lea     8(%edx), %edi
5:      cmpl    $0, COUNTER
        jne     6f
        pause
        rdtsc
        cmp     %edi, %edx
        jb      5b
        mov     $5, %al
        jmp     fail
6:      PRINT   "AP started: counter=0x"
        mov     COUNTER, %eax
        call    hex32
        cmp     $1, %eax
        OK_IF   e, 6
        PRINT   " ap apic id=0x"
        mov     AP_APICID, %eax
        call    hex32
        PRINT   "\r\n"
        cmp     $1, %eax
        OK_IF   e, 7
        jmp     pass

# sum8: ZF=1 if the ECX bytes at ESI sum to 0 (mod 256). Preserves ESI, ECX.
sum8:   push    %esi
        push    %ecx
        xor     %eax, %eax
1:      add     (%esi), %al
        inc     %esi
        loop    1b
        pop     %ecx
        pop     %esi
        test    %al, %al
        ret

# wait_icr: until the ICR delivery status (bit 12) is idle, bounded.
wait_icr:
        push    %ecx
        mov     $100000, %ecx
1:      testl   $0x1000, ICR_LO(%ebx)
        jz      2f
        pause
        loop    1b
        mov     $4, %al
        jmp     fail
2:      pop     %ecx
        ret

# The AP's code: copied to TRAMPOLINE, entered by the SIPI in real mode at CS:IP = 0x7000:0000.
        .balign 16
        .code16
tr_start:
        cli
        mov     %cs, %ax
        mov     %ax, %ds
        mov     $1, %eax
        cpuid
        shr     $24, %ebx               # initial APIC ID
        mov     %ebx, tr_apicid - tr_start
        lock incl tr_counter - tr_start
1:      hlt
        jmp     1b
        .balign 4
tr_counter:     .long 0
tr_apicid:      .long 0
tr_end:
        .code32
