# Snapshot test guest (--format raw --load-addr 0x100000 --mode long): boots, fills a 16 KiB
# table, then answers serial input lines. For each line it prints
#   "answer: hash=H sum=S n=N\r\n"
# H = djb2 hash of the line, S = a checksum of the table mixed with H, N = how many lines it has
# answered since boot. Then it changes the table and the counter (so a reset that did not restore
# memory would answer differently), and exits with status H & 0x7f, unless the line starts with
# 'k' (keep going: it prompts again). The prompt is "ready> ".
# link: 0x100000
        .include "macros.inc"
        .code64
        .globl _start
        .set TABLE, 0x300000
        .set QWORDS, 2048
_start: jmp     main
        .include "lib64.inc"

# getc: AL = the next byte from COM1 (polls LSR.DR).
getc:   push    %rdx
        mov     $COM1_LSR, %dx
1:      in      %dx, %al
        test    $1, %al
        jz      1b
        mov     $COM1, %dx
        in      %dx, %al
        pop     %rdx
        ret

main:   PRINT   "snapguest: boot\r\n"
        mov     $TABLE, %rdi
        xor     %ecx, %ecx
        movabs  $0x9e3779b97f4a7c15, %r8
1:      mov     %rcx, %rax
        imul    %r8, %rax
        mov     %rax, (%rdi,%rcx,8)
        inc     %rcx
        cmp     $QWORDS, %rcx
        jb      1b
        lea     counter(%rip), %r15
        movq    $0, (%r15)
        PRINT   "snapguest: table ready\r\n"

prompt: PRINT   "ready> "
        mov     $5381, %rbx             # djb2 hash of the line
        xor     %r12d, %r12d            # its first byte
        xor     %r13d, %r13d            # its length
2:      call    getc
        cmp     $'\n', %al
        je      3f
        cmp     $'\r', %al
        je      3f
        movzbl  %al, %eax
        test    %r13, %r13
        jnz     4f
        mov     %eax, %r12d
4:      inc     %r13
        imul    $33, %rbx, %rbx
        add     %rax, %rbx
        jmp     2b
3:      test    %r13, %r13
        jz      2b                      # an empty line (e.g. the LF of CRLF): keep reading
        # S = sum over the table of (entry xor H)
        mov     $TABLE, %rdi
        xor     %ecx, %ecx
        xor     %edx, %edx
5:      mov     (%rdi,%rcx,8), %rax
        xor     %rbx, %rax
        add     %rax, %rdx
        inc     %rcx
        cmp     $QWORDS, %rcx
        jb      5b
        PRINT   "answer: hash="
        mov     %rbx, %rax
        call    hex64
        PRINT   " sum="
        mov     %rdx, %rax
        call    hex64
        PRINT   " n="
        mov     (%r15), %rax
        call    hex64
        PRINT   "\r\n"
        # Change the state: one table entry and the counter.
        mov     %rbx, %rax
        and     $(QWORDS - 1), %eax
        addq    %rbx, (%rdi,%rax,8)
        incq    (%r15)
        cmp     $'k', %r12d
        je      prompt
        mov     %ebx, %eax
        and     $0x7f, %eax
        jmp     exit

        .balign 8
counter: .quad  0
