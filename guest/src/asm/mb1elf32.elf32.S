# Multiboot 1 test guest, an ELF32 kernel: the boot loader (the VMM) enters _start in flat 32-bit
# protected mode with EAX = 0x2BADB002 and EBX = the Multiboot information. Runs the checks of
# mb1check.inc (exit status = the failed check, 0 = all passed).
# link: 0x100000
# "-n": no PT_LOAD for the ELF headers (ld would put one at 0xff000, in the reserved legacy hole)
# ld: -n
        .include "mb1guest.inc"
        MB1_ELF_GUEST mb1-elf32
