#!/usr/bin/env bash
# Builds bench/tiny-pvh.S into DIR/tiny.elf (the start-up and density benchmarks' guest) and
# DIR/tiny-halt.elf (the same, but it halts instead of exiting: the footprint samples it running).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?output directory}
mkdir -p "$dir"
as --32 -o "$dir/tiny.o" "$here/tiny-pvh.S"
ld -m elf_i386 -z max-page-size=0x1000 -T "$here/tiny-pvh.ld" -o "$dir/tiny.elf" "$dir/tiny.o"
as --32 --defsym HALT=1 -o "$dir/tiny-halt.o" "$here/tiny-pvh.S"
ld -m elf_i386 -z max-page-size=0x1000 -T "$here/tiny-pvh.ld" -o "$dir/tiny-halt.elf" "$dir/tiny-halt.o"
echo "$dir/tiny.elf"
