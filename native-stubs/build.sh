#!/usr/bin/env bash
# Builds the native stub library (shipped in the jar, loaded by JNA) and the C reference VMM.
# Usage: build.sh TARGET_DIR
# A missing tool is reported in one line, the first the build prints, naming the package to install.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?target directory}
need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "minivmm build: '$1' not found; install it with: apt-get install $2" >&2
    exit 1
  }
}
need gcc gcc
# The C includes <linux/kvm.h> and the C library's headers: without them gcc fails with a page of
# errors; say which package is missing instead (linux/kvm.h comes with libc6-dev's dependency
# linux-libc-dev on Debian and Ubuntu).
if ! printf '#include <stdio.h>\n#include <linux/kvm.h>\n' | gcc -E -x c - >/dev/null 2>&1; then
  echo "minivmm build: the C headers (stdio.h, linux/kvm.h) are missing; install them with: apt-get install libc6-dev linux-libc-dev" >&2
  exit 1
fi
mkdir -p "$target/classes/linux-x86-64" "$target/bin"
gcc -O2 -Wall -Wextra -Werror -fPIC -shared -o "$target/classes/linux-x86-64/libminivmm.so" \
    "$here/src/main/c/minivmm_stubs.c"
gcc -O2 -Wall -Wextra -Werror -o "$target/bin/c-reference" "$here/src/bench/c/c_reference.c"
gcc -O2 -Wall -Wextra -Werror -o "$target/bin/kvm-layout" "$here/src/main/c/kvm_layout.c"
