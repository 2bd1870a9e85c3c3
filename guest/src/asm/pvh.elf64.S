# PVH test guest: an ELF64 file (like a Linux vmlinux) whose XEN_ELFNOTE_PHYS32_ENTRY note (type
# 18, name "Xen") gives the 32-bit entry point. The VMM enters it in flat 32-bit protected mode
# with EBX = hvm_start_info. Checks: magic 0x336ec578 (fail 1), version >= 1 (2), CR0.PE set / PG
# clear (3), command line = pvh_cmdline (4), module 0 page aligned and starting with
# pvh_module_data when nr_modules > 0 (5), memory map of 3 entries: [0, 0x9fc00) RAM, the legacy
# hole reserved, RAM from 1 MiB (6); the register state of Xen's docs/misc/pvh.pandoc: EFLAGS,
# CR4 and flat segments (lib32.inc: check_flat32, 0x30-0x33), TR a busy 32-bit TSS with limit
# 0x67 (0x34) and base 0 (0x35). Exit 0 when all pass.
# link: 0x100000
# "-n": no PT_LOAD for the ELF headers (ld would put one at 0xff000, in the reserved legacy hole)
# ld: -n
        .include "macros.inc"

        .section .note.Xen, "a", @note
        .balign 4
        .long   4                               # namesz
        .long   8                               # descsz: a pointer, as Linux writes it
        .long   18                              # XEN_ELFNOTE_PHYS32_ENTRY
        .asciz  "Xen"
        .balign 4
        .quad   pvh_start
        .balign 4

        .text
        .code32
        .globl _start
_start:                                         # e_entry: not used by PVH
        ud2
pvh_start:
        mov     $stack_top, %esp
        mov     %ebx, %ebp
        PRINT   "pvh: entered at 0x"
        mov     $pvh_start, %eax
        call    hex32
        PRINT   " ebx=0x"
        mov     %ebx, %eax
        call    hex32
        PRINT   " magic=0x"
        mov     0(%ebp), %eax
        call    hex32
        cmp     $0x336ec578, %eax
        OK_IF   e, 1
        PRINT   " version=0x"
        mov     4(%ebp), %eax
        call    hex32
        cmp     $1, %eax
        OK_IF   ae, 2
        mov     %cr0, %eax
        PRINT   " cr0=0x"
        call    hex32
        test    $1, %eax
        OK_IF   nz, 3
        test    $0x80000000, %eax
        OK_IF   z, 3
        PRINT   "\r\n"
        call    check_flat32
        PRINT   "cmdline='"
        mov     24(%ebp), %esi
        call    puts
        PRINT   "'\r\n"
        mov     24(%ebp), %esi
        mov     $pvh_cmdline, %edi
        call    streq
        OK_IF   e, 4
        PRINT   "nr_modules=0x"
        mov     12(%ebp), %eax
        call    hex32
        PRINT   "\r\n"
        test    %eax, %eax
        jz      1f
        mov     16(%ebp), %ebx          # modlist: paddr (u64), size (u64), cmdline_paddr, reserved
        PRINT   "module 0 paddr=0x"
        mov     0(%ebx), %eax
        mov     4(%ebx), %edx
        call    hex64
        PRINT   " size=0x"
        mov     8(%ebx), %eax
        mov     12(%ebx), %edx
        call    hex64
        PRINT   "\r\n"
        testl   $0xfff, 0(%ebx)
        OK_IF   z, 5
        mov     0(%ebx), %esi
        mov     $pvh_module_data, %edi
        mov     $(pvh_module_data_end - pvh_module_data), %ecx
        call    memeq
        OK_IF   e, 5
1:      PRINT   "memmap_entries=0x"
        mov     48(%ebp), %ecx
        mov     %ecx, %eax
        call    hex32
        PRINT   "\r\n"
        cmp     $3, %ecx
        OK_IF   e, 6
        mov     40(%ebp), %ebx          # entries: addr (u64), size (u64), type (u32), reserved
2:      PRINT   "memmap 0x"
        mov     0(%ebx), %eax
        mov     4(%ebx), %edx
        call    hex64
        PRINT   " size 0x"
        mov     8(%ebx), %eax
        mov     12(%ebx), %edx
        call    hex64
        PRINT   " type 0x"
        mov     16(%ebx), %eax
        call    hex32
        PRINT   "\r\n"
        add     $24, %ebx
        loop    2b
        mov     40(%ebp), %ebx
        cmpl    $0, 0(%ebx)             # [0, 0x9fc00) RAM
        OK_IF   e, 6
        cmpl    $0x9fc00, 8(%ebx)
        OK_IF   e, 6
        cmpl    $1, 16(%ebx)
        OK_IF   e, 6
        cmpl    $0x9fc00, 24(%ebx)      # the legacy hole, reserved
        OK_IF   e, 6
        cmpl    $2, 40(%ebx)
        OK_IF   e, 6
        cmpl    $0x100000, 48(%ebx)     # RAM from 1 MiB
        OK_IF   e, 6
        cmpl    $1, 64(%ebx)
        OK_IF   e, 6
        # Last, so that everything above is checked whatever TR is. Xen's pvh.pandoc:
        # "tr: must be a 32-bit TSS (active) with a base of '0' and a limit of '0x67'".
        str     %ax
        call    desc32
        PRINT   "tr: base=0x"
        call    hex32
        PRINT   " limit=0x"
        push    %eax
        mov     %edx, %eax
        call    hex32
        PRINT   " attr=0x"
        mov     %ecx, %eax
        call    hex32
        PRINT   "\r\n"
        pop     %eax
        and     $0xff, %ecx
        cmp     $0x8b, %ecx             # present, busy 32-bit TSS
        OK_IF   e, 0x34
        cmp     $0x67, %edx
        OK_IF   e, 0x34
        test    %eax, %eax
        OK_IF   z, 0x35
        jmp     pass

        .include "lib32.inc"
pvh_cmdline:     .asciz "minivmm-pvh root=/dev/null quiet"
pvh_module_data: .ascii "minivmm test module"
pvh_module_data_end:
        .balign 16
        .fill   1024, 1, 0
stack_top:
