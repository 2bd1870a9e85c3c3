# Multiboot 2 test guest (ELF32). Entered in flat 32-bit protected mode with EAX = 0x36d76289 and
# EBX = the boot information. Walks the information tags and checks: EAX (fail 1), CR0.PE set /
# PG clear (2, 3), EBX 8-aligned (4), command line = mb2_cmdline (5), boot loader name "minivmm"
# (6), module 0 page aligned and starting with mb2_module_data (7), basic meminfo mem_lower = 639
# KiB (8), memory map entry_size 24 (9), total_size matches the end tag (10), tags 1, 2, 3, 4 and
# 6 all present (11), RAM from 1 MiB in the map is mem_upper KiB (12); EFLAGS, CR4 and the
# segments as spec 3.2 requires (lib32.inc: check_flat32, 0x30-0x33). Exit 0 when all pass.
# link: 0x100000
# "-n": no PT_LOAD for the ELF headers (ld would put one at 0xff000, in the reserved legacy hole)
# ld: -n
        .include "macros.inc"
        .code32
        .text
        .globl _start
        .balign 8
mb2_header:
        .long   0xE85250D6                      # magic
        .long   0                               # architecture: i386
        .long   mb2_header_end - mb2_header     # header_length
        .long   0x100000000 - (0xE85250D6 + (mb2_header_end - mb2_header))
        # Information request: command line, boot loader name, modules, basic meminfo, mmap.
        .short  1, 0
        .long   8 + 5 * 4
        .long   1, 2, 3, 4, 6
        .balign 8
        .short  0, 0                            # end tag
        .long   8
mb2_header_end:

_start:
        mov     $stack_top, %esp
        mov     %eax, %edi
        mov     %ebx, %ebp
        PRINT   "multiboot2: eax=0x"
        call    hex32
        PRINT   " ebx=0x"
        mov     %ebx, %eax
        call    hex32
        cmp     $0x36d76289, %edi
        OK_IF   e, 1
        mov     %cr0, %eax
        PRINT   " cr0=0x"
        call    hex32
        test    $1, %eax
        OK_IF   nz, 2
        test    $0x80000000, %eax
        OK_IF   z, 3
        test    $7, %ebp
        OK_IF   z, 4
        PRINT   "\r\n"
        call    check_flat32
        PRINT   "total_size=0x"
        mov     0(%ebp), %eax
        call    hex32
        PRINT   "\r\n"
        lea     8(%ebp), %esi           # ESI = current tag
        xor     %edi, %edi              # EDI = bit mask of the tag types seen
tag:    mov     0(%esi), %eax
        test    %eax, %eax
        jz      tags_done
        cmp     $31, %eax
        ja      next
        bts     %eax, %edi
        cmp     $1, %eax
        je      t_cmdline
        cmp     $2, %eax
        je      t_name
        cmp     $3, %eax
        je      t_module
        cmp     $4, %eax
        je      t_meminfo
        cmp     $6, %eax
        je      t_mmap
        PRINT   "tag 0x"
        call    hex32
        PRINT   "\r\n"
next:   add     4(%esi), %esi
        add     $7, %esi
        and     $~7, %esi
        jmp     tag

t_cmdline:
        push    %esi
        PRINT   "tag 1 cmdline='"
        add     $8, %esi
        call    puts
        PRINT   "'\r\n"
        pop     %esi
        push    %esi
        add     $8, %esi
        push    %edi
        mov     $mb2_cmdline, %edi
        call    streq
        pop     %edi
        pop     %esi
        OK_IF   e, 5
        jmp     next

t_name: push    %esi
        PRINT   "tag 2 boot_loader_name='"
        add     $8, %esi
        call    puts
        PRINT   "'\r\n"
        pop     %esi
        push    %esi
        add     $8, %esi
        push    %edi
        mov     $mb2_minivmm, %edi
        call    streq
        pop     %edi
        pop     %esi
        OK_IF   e, 6
        jmp     next

t_module:
        PRINT   "tag 3 module start=0x"
        mov     8(%esi), %eax
        call    hex32
        PRINT   " end=0x"
        mov     12(%esi), %eax
        call    hex32
        PRINT   " size=0x"
        sub     8(%esi), %eax
        call    hex32
        PRINT   " string='"
        push    %esi
        add     $16, %esi
        call    puts
        pop     %esi
        PRINT   "'\r\n"
        testl   $0xfff, 8(%esi)
        OK_IF   z, 7
        push    %esi
        push    %edi
        mov     8(%esi), %esi
        mov     $mb2_module_data, %edi
        mov     $(mb2_module_data_end - mb2_module_data), %ecx
        call    memeq
        pop     %edi
        pop     %esi
        OK_IF   e, 7
        jmp     next

t_meminfo:
        PRINT   "tag 4 mem_lower=0x"
        mov     8(%esi), %eax
        call    hex32
        cmp     $639, %eax
        OK_IF   e, 8
        PRINT   " mem_upper=0x"
        mov     12(%esi), %eax
        call    hex32
        PRINT   "\r\n"
        mov     %eax, mem_upper
        jmp     next

t_mmap: PRINT   "tag 6 mmap entry_size=0x"
        mov     8(%esi), %eax
        call    hex32
        PRINT   "\r\n"
        cmp     $24, %eax
        OK_IF   e, 9
        lea     16(%esi), %ebx          # EBX = entry
        mov     4(%esi), %ecx
        add     %esi, %ecx              # ECX = end of the tag
1:      cmp     %ecx, %ebx
        jae     next
        PRINT   "mmap 0x"
        mov     0(%ebx), %eax
        mov     4(%ebx), %edx
        call    hex64
        PRINT   " len 0x"
        mov     8(%ebx), %eax
        mov     12(%ebx), %edx
        call    hex64
        PRINT   " type 0x"
        mov     16(%ebx), %eax
        call    hex32
        PRINT   "\r\n"
        cmpl    $0x100000, 0(%ebx)
        jne     2f
        cmpl    $0, 4(%ebx)
        jne     2f
        mov     8(%ebx), %eax
        mov     %eax, high_ram_len
2:      add     $24, %ebx
        jmp     1b

tags_done:
        lea     8(%esi), %eax
        sub     %ebp, %eax              # size up to and including the end tag
        cmp     0(%ebp), %eax
        OK_IF   e, 10
        PRINT   "tags seen=0x"
        mov     %edi, %eax
        call    hex32
        PRINT   "\r\n"
        and     $0x5e, %eax
        cmp     $0x5e, %eax
        OK_IF   e, 11
        mov     mem_upper, %eax
        shl     $10, %eax
        cmp     high_ram_len, %eax
        OK_IF   e, 12
        jmp     pass

        .include "lib32.inc"
        .balign 4
mem_upper:       .long 0
high_ram_len:    .long 0
mb2_cmdline:     .asciz "minivmm-mb2 console=ttyS0 x=y"
mb2_minivmm:     .asciz "minivmm"
mb2_module_data: .ascii "minivmm test module"
mb2_module_data_end:
        .balign 16
        .fill   1024, 1, 0
stack_top:
