#!/usr/bin/env python3
"""Writes a copy of an ELF vmlinux whose int3_selftest() does not execute int3, so that QEMU (which
stops for good at that int3 on hosts that cannot emulate it at CPL0, see shared/images/README.md)
runs the same boot as minivmm past alternative_instructions() and can be timed to `Run /init`.

Linux 6.1 int3_selftest(): `lea 4(%rsp),%rdi; int3_selftest_ip: int3; nop; nop; nop; nop`; the #BP
handler emulates `call int3_magic` (int3_magic(unsigned *p) { *p = 1; }). The 5 bytes cc 90 90 90 90
are replaced by that very call (e8 rel32), so the self-test passes and nothing else changes.
Needs the symbol table (nm). Usage: noint3-kernel.py VMLINUX OUT"""
import struct, subprocess, sys

def main():
    src, out = sys.argv[1], sys.argv[2]
    syms = {}
    for line in subprocess.run(['nm', src], capture_output=True, text=True, check=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3: syms[p[2]] = int(p[0], 16)
    ip, magic = syms['int3_selftest_ip'], syms['int3_magic']
    d = bytearray(open(src, 'rb').read())
    assert d[:4] == b'\x7fELF' and d[4] == 2, 'not an ELF64 file'
    phoff, phentsize, phnum = struct.unpack_from('<Q', d, 32)[0], *struct.unpack_from('<HH', d, 54)
    for i in range(phnum):
        ptype, _, off, vaddr, _, filesz = struct.unpack_from('<IIQQQQ', d, phoff + i * phentsize)
        if ptype == 1 and vaddr <= ip < vaddr + filesz:
            at = off + ip - vaddr
            break
    else:
        sys.exit('noint3-kernel: int3_selftest_ip is in no PT_LOAD segment')
    if d[at:at + 5] != b'\xcc\x90\x90\x90\x90':
        sys.exit('noint3-kernel: unexpected bytes at int3_selftest_ip: ' + d[at:at + 5].hex())
    d[at:at + 5] = b'\xe8' + struct.pack('<i', magic - (ip + 5))
    open(out, 'wb').write(d)
    print('%s: int3 at 0x%x -> call int3_magic (0x%x)' % (out, ip, magic))

main()
