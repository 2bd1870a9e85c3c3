#!/usr/bin/env bash
# Assembles the guest programs in src/asm into target/classes/guests (shipped in the guest jar).
#   NAME.S          64-bit code, flat binary linked at the address in its "# link: ADDR" line
#   NAME.16.S       16-bit real-mode code, flat binary linked at its "# link:" address
#   NAME.32.S       32-bit code, flat binary
#   NAME.elf64.S    64-bit ELF executable (kept as ELF: the VMM's ELF loader reads it)
#   NAME.elf32.S    32-bit ELF executable
# Each file names its link address with a line "# link: 0x...", and may add "# ld: FLAGS".
# An ELF guest may come with a linker script NAME.ld next to it (e.g. for load addresses that
# differ from link addresses, AT()); ld then takes the layout from the script instead of -Ttext,
# and the "# link:" line documents the address the script uses.
# Usage: build.sh TARGET_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?target directory}
for tool in as ld; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "minivmm build: '$tool' not found; install it with: apt-get install binutils" >&2
    exit 1
  }
done
out="$target/classes/guests"
obj="$target/guest-obj"
mkdir -p "$out" "$obj"
for src in "$here"/src/asm/*.S; do
  file=$(basename "$src")
  link=$(sed -n 's/^# link: *\(0x[0-9a-fA-F]*\).*/\1/p' "$src" | head -n1)
  extra=$(sed -n 's/^# ld: *//p' "$src" | head -n1)
  [ -n "$link" ] || { echo "minivmm build: $file has no '# link: ADDR' line" >&2; exit 1; }
  # ELF guests only: a linker script NAME.ld next to NAME.elf64.S / NAME.elf32.S replaces -Ttext.
  layout="-Ttext=$link"
  case "$file" in
    *.elf64.S) script="$here/src/asm/${file%.elf64.S}.ld" ;;
    *.elf32.S) script="$here/src/asm/${file%.elf32.S}.ld" ;;
    *)         script="" ;;
  esac
  if [ -n "$script" ] && [ -f "$script" ]; then layout="-T $script"; fi
  case "$file" in
    *.16.S)    name=${file%.16.S};    as --32 -I "$here/src/asm" -o "$obj/$name.o" "$src"
               ld -m elf_i386 -Ttext="$link" $extra --oformat binary -o "$out/$name.bin" "$obj/$name.o" ;;
    *.32.S)    name=${file%.32.S};    as --32 -I "$here/src/asm" -o "$obj/$name.o" "$src"
               ld -m elf_i386 -Ttext="$link" $extra --oformat binary -o "$out/$name.bin" "$obj/$name.o" ;;
    *.elf64.S) name=${file%.elf64.S}; as --64 -I "$here/src/asm" -o "$obj/$name.o" "$src"
               ld -m elf_x86_64 -z max-page-size=0x1000 $layout $extra -o "$out/$name.elf" "$obj/$name.o" ;;
    *.elf32.S) name=${file%.elf32.S}; as --32 -I "$here/src/asm" -o "$obj/$name.o" "$src"
               ld -m elf_i386 -z max-page-size=0x1000 $layout $extra -o "$out/$name.elf" "$obj/$name.o" ;;
    *.S)       name=${file%.S};       as --64 -I "$here/src/asm" -o "$obj/$name.o" "$src"
               ld -m elf_x86_64 -Ttext="$link" $extra --oformat binary -o "$out/$name.bin" "$obj/$name.o" ;;
  esac
done
