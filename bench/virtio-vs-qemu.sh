#!/usr/bin/env bash
# Boot to `VFS: Mounted root` from a virtio-blk ext2 root: minivmm vs QEMU microvm (issue 11),
# same kernel, same image contents, same command line, alternating runs, N runs each.
#   N=3 bench/virtio-vs-qemu.sh
# Both boot a copy of linux-virtio.vmlinux without its int3 self-test (bench/noint3-kernel.py:
# QEMU cannot pass that int3 here), 64 MiB, one vCPU, the README's fast command line plus
# `root=/dev/vda rw`, and stop at `Run /sbin/init`. QEMU: `-M microvm,acpi=off` (which appends
# the virtio_mmio.device= entries itself) with a virtio-blk-device; each run gets a fresh image.
# Needs mke2fs, python3, qemu-system-x86_64 and vmm/target/vmm.jar.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-3}
LIMIT=${LIMIT:-240}
JAR=${JAR:-$here/vmm/target/vmm.jar}
IMAGES=${IMAGES:-/work/shared/images}
[ -f "$here/../shared/images/linux-virtio.vmlinux" ] && IMAGES=$(cd "$here/../shared/images" && pwd)
LOGS=${LOGS:-$(mktemp -d)}
MT="$here/bench/marktime.py"
FAST="console=ttyS0 reboot=k panic=-1 noxsave clearcpuid=popcnt,smap,erms,fsrm percpu_alloc=page root=/dev/vda rw"
Q="qemu-system-x86_64 -enable-kvm -cpu qemu64,-cx16 -nographic -no-reboot -m 64"
kernel="$LOGS/linux-virtio-noint3.vmlinux"
python3 "$here/bench/noint3-kernel.py" "$IMAGES/linux-virtio.vmlinux" "$kernel"
mkdir -p "$LOGS/root/sbin" "$LOGS/root/dev"
printf '#!/bin/sh\n' > "$LOGS/root/sbin/init"
chmod +x "$LOGS/root/sbin/init"
mke2fs -q -F -t ext2 -d "$LOGS/root" "$LOGS/root.ext2" 16M
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(qemu-system-x86_64 --version | head -n1), N=$N, logs $LOGS"
for i in $(seq 1 "$N"); do
  cp "$LOGS/root.ext2" "$LOGS/m.ext2"
  line=$("$MT" --mark "vda=virtio_blk virtio0: \[vda\]" --mark "mounted=VFS: Mounted root" --mark "init=Run /sbin/init" \
    --stop "Run /sbin/init" --limit "$LIMIT" --log "$LOGS/minivmm.$i.log" -- \
    java -jar "$JAR" --kernel "$kernel" --disk "$LOGS/m.ext2" --mem 64M --cmdline "$FAST")
  echo "minivmm run $i: $line (load $(cut -d' ' -f1 /proc/loadavg))"
  cp "$LOGS/root.ext2" "$LOGS/q.ext2"
  # shellcheck disable=SC2086
  line=$("$MT" --mark "vda=virtio_blk virtio0: \[vda\]" --mark "mounted=VFS: Mounted root" --mark "init=Run /sbin/init" \
    --stop "Run /sbin/init" --limit "$LIMIT" --log "$LOGS/qemu.$i.log" -- \
    $Q -M microvm,acpi=off -kernel "$kernel" -append "$FAST" \
    -drive id=root,file="$LOGS/q.ext2",format=raw,if=none -device virtio-blk-device,drive=root)
  echo "qemu-microvm run $i: $line (load $(cut -d' ' -f1 /proc/loadavg))"
done
