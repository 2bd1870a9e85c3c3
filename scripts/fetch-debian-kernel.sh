#!/usr/bin/env bash
# Fetches Debian bookworm's cloud kernel (a bzImage) into <repo>/images-cache/ (git-ignored) and
# prints the path of the extracted vmlinuz on stdout (messages go to stderr).
#   scripts/fetch-debian-kernel.sh            # cached copy if present, else download
#   scripts/fetch-debian-kernel.sh --refresh  # resolve the current package again and download
# The package is the one Debian's metapackage linux-image-cloud-amd64 currently depends on
# (e.g. linux-image-6.1.0-50-cloud-amd64); it is fetched with `apt-get download` (no install), and
# only /boot/vmlinuz-* is extracted. Needs apt-get, apt-cache and dpkg-deb (any Debian/Ubuntu);
# runs `apt-get update` first when apt does not know the package (needs root).
# Exit status: 0 ok, 1 the package could not be resolved or downloaded.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MINIVMM_IMAGES_CACHE:-$here/images-cache}
link="$cache/debian-cloud-vmlinuz"
if [ "${1:-}" != "--refresh" ] && [ -s "$link" ]; then
  readlink -f "$link"
  exit 0
fi
for tool in apt-get apt-cache dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-debian-kernel: '$tool' not found (needs a Debian-like system)" >&2; exit 1; }
done
resolve() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null \
    | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ { print $2; exit }'
}
pkg=$(resolve || true)
if [ -z "$pkg" ]; then
  echo "fetch-debian-kernel: apt does not know linux-image-cloud-amd64; running apt-get update" >&2
  apt-get update -qq >&2 || { echo "fetch-debian-kernel: apt-get update failed" >&2; exit 1; }
  pkg=$(resolve || true)
fi
[ -n "$pkg" ] || { echo "fetch-debian-kernel: cannot resolve linux-image-cloud-amd64 to a kernel package" >&2; exit 1; }
mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetch-debian-kernel: downloading $pkg" >&2
(cd "$work" && apt-get download -q "$pkg" >&2) || { echo "fetch-debian-kernel: apt-get download $pkg failed" >&2; exit 1; }
deb=$(ls "$work"/*.deb | head -n1)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
src=$(ls "$work"/boot/vmlinuz-* | head -n1)
ver=$(dpkg-deb -f "$deb" Version)
dest="$cache/$pkg-$ver.vmlinuz"
mv "$src" "$dest"
ln -sfn "$(basename "$dest")" "$link"
echo "fetch-debian-kernel: $pkg $ver -> $dest" >&2
echo "$dest"
