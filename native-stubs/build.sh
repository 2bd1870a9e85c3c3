#!/usr/bin/env bash
# Builds the native stub library (shipped in the jar, loaded by JNA) and the C reference VMM.
# Usage: build.sh TARGET_DIR
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
mkdir -p "$target/classes/linux-x86-64" "$target/bin"
gcc -O2 -Wall -Wextra -Werror -fPIC -shared -o "$target/classes/linux-x86-64/libminivmm.so" \
    "$here/src/main/c/minivmm_stubs.c"
gcc -O2 -Wall -Wextra -Werror -o "$target/bin/c-reference" "$here/src/bench/c/c_reference.c"
gcc -O2 -Wall -Wextra -Werror -o "$target/bin/kvm-layout" "$here/src/main/c/kvm_layout.c"
