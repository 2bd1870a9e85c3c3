# The embedded demo guest: 64-bit long mode, entered by the VMM at its link address with paging
# on (identity map), RSP set. Prints a banner over COM1 (polled) and exits through the debug-exit
# port with status 0.
# link: 0x100000
        .include "serial.inc"
        .code64
        .globl _start
_start:
        lea     banner(%rip), %rsi
        call    puts
        # Report the CPU vendor from CPUID leaf 0, to show the guest sees what the VMM set up.
        xor     %eax, %eax
        cpuid
        lea     vendor(%rip), %rdi
        mov     %ebx, 0(%rdi)
        mov     %edx, 4(%rdi)
        mov     %ecx, 8(%rdi)
        lea     cpu_line(%rip), %rsi
        call    puts
        mov     $DEBUG_EXIT, %dx
        xor     %eax, %eax
        out     %al, %dx
1:      hlt
        jmp     1b

# puts: write the NUL-terminated string at RSI to COM1, waiting for THR empty before each byte.
puts:
        lodsb
        test    %al, %al
        jz      3f
        mov     %al, %bl
        mov     $COM1_LSR, %dx
2:      in      %dx, %al
        test    $LSR_THRE, %al
        jz      2b
        mov     $COM1, %dx
        mov     %bl, %al
        out     %al, %dx
        jmp     puts
3:      ret

banner:   .asciz "minivmm demo guest: hello from 64-bit long mode\r\n"
cpu_line: .ascii "cpu vendor: "
vendor:   .ascii "????????????"
          .asciz "\r\n"
