# Prints the CPUID leaves a guest sees, one line each: "LLLLLLLL: eax ebx ecx edx" in hex, for
# leaves 1, 7.0, 0x80000001, 0x80000008 and 0x40000001 (KVM features), then exits through the
# debug-exit port with status 0. 64-bit code entered at its link address with paging on (as the
# demo guest). Used by CpuModelBootTest to check what --cpu models and toggles actually change.
# link: 0x100000
        .include "serial.inc"
        .code64
        .globl _start
_start:
        mov     $1, %eax
        call    dump
        mov     $7, %eax
        call    dump
        mov     $0x80000001, %eax
        call    dump
        mov     $0x80000008, %eax
        call    dump
        mov     $0x40000001, %eax
        call    dump
        mov     $DEBUG_EXIT, %dx
        xor     %eax, %eax
        out     %al, %dx
1:      hlt
        jmp     1b

# dump: CPUID leaf EAX, subleaf 0; prints the line.
dump:
        mov     %eax, %r8d
        xor     %ecx, %ecx
        cpuid
        mov     %eax, %r9d
        mov     %ebx, %r10d
        mov     %ecx, %r11d
        mov     %edx, %r12d
        mov     %r8d, %edi
        call    hex
        mov     $':', %al
        call    putc
        mov     %r9d, %edi
        call    sphex
        mov     %r10d, %edi
        call    sphex
        mov     %r11d, %edi
        call    sphex
        mov     %r12d, %edi
        call    sphex
        mov     $'\n', %al
        jmp     putc

# sphex / hex: a space (sphex only) and EDI as 8 lower-case hex digits.
sphex:
        mov     $' ', %al
        call    putc
hex:
        mov     $8, %ecx
2:      rol     $4, %edi
        mov     %edi, %eax
        and     $15, %eax
        cmp     $10, %al
        jb      3f
        add     $('a' - 10 - '0'), %al
3:      add     $'0', %al
        call    putc
        dec     %ecx
        jnz     2b
        ret

# putc: AL to COM1, waiting for THR empty.
putc:
        mov     %eax, %esi
        mov     $COM1_LSR, %dx
4:      in      %dx, %al
        test    $LSR_THRE, %al
        jz      4b
        mov     $COM1, %dx
        mov     %esi, %eax
        out     %al, %dx
        ret
