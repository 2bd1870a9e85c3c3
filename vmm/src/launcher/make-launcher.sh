#!/bin/sh
# Writes the launcher next to the CLI jar: TARGET/vmm (from vmm.sh), TARGET/lib (the native
# libraries unpacked from the jar) and, when a training run can use KVM, TARGET/vmm.jsa: a
# dynamic class-data-sharing archive (-XX:ArchiveClassesAtExit) of one run of the demo guest.
# Never fails the build for want of KVM: without /dev/kvm (or when the training run fails) the
# launcher is written without an archive and says so.
# Usage: make-launcher.sh TARGET_DIR JAVA_HOME    (run by vmm/pom.xml in the package phase)
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
target=$(CDPATH= cd -- "${1:?target directory}" && pwd -P)
jdk=${2:?java home}
java=$(readlink -f "$jdk/bin/java")
jar=$target/vmm.jar
# The JVM options the launcher passes (docs/STARTUP.md): the serial collector (one GC thread, no
# G1 remembered sets: less memory and CPU for a VMM whose heap holds little), a 64 MiB heap, no
# perf-data file, and the C1 compiler only on one thread (10-15% less CPU and 3 MiB less for a
# short run; the exit path's cost is KVM's, so long runs lose little; JAVA_OPTS=-XX:TieredStopAtLevel=4
# brings C2 back).
jvm_opts="-XX:+UseSerialGC -Xmx64m -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"

rm -rf "$target/lib" "$target/vmm.jsa"
mkdir -p "$target/lib/unpack"
(cd "$target/lib/unpack" && "$jdk/bin/jar" xf "$jar" com/sun/jna/linux-x86-64/libjnidispatch.so linux-x86-64/libminivmm.so)
mv "$target/lib/unpack/com/sun/jna/linux-x86-64/libjnidispatch.so" "$target/lib/unpack/linux-x86-64/libminivmm.so" "$target/lib/"
rm -rf "$target/lib/unpack"

sed -e "s|@TRAINED_JAR@|$jar|" -e "s|@TRAINED_JAVA@|$java|" -e "s|@JVM_OPTS@|$jvm_opts|" "$here/vmm.sh" >"$target/vmm.tmp"
chmod 755 "$target/vmm.tmp"
mv "$target/vmm.tmp" "$target/vmm"

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "minivmm launcher: /dev/kvm is not usable here: $target/vmm is written without a class-data-sharing archive (it starts slower)"
  exit 0
fi
# The training run: the launcher's own options, so the archive matches what it will load.
# shellcheck disable=SC2086
if "$java" -XX:ArchiveClassesAtExit="$target/vmm.jsa" $jvm_opts \
     -Djna.boot.library.path="$target/lib" -Dminivmm.library.path="$target/lib" \
     -jar "$jar" --timeout 60s >"$target/vmm.jsa.log" 2>&1 </dev/null && [ -f "$target/vmm.jsa" ]; then
  echo "minivmm launcher: $target/vmm with class-data-sharing archive vmm.jsa ($(wc -c <"$target/vmm.jsa") bytes)"
else
  rm -f "$target/vmm.jsa"
  echo "minivmm launcher: the training run failed (see $target/vmm.jsa.log): $target/vmm is written without a class-data-sharing archive"
fi
