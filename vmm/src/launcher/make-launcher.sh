#!/bin/sh
# Writes the launcher next to the CLI jar: TARGET/vmm (from vmm.sh), TARGET/lib (the native
# libraries unpacked from the jar) and, when the training runs can use KVM, TARGET/vmm.jsa: a
# static class-data-sharing archive (-Xshare:dump) of the classes that runs of the demo guest and
# of five guests in the other image formats loaded (-XX:DumpLoadedClassList), JDK classes included.
# Never fails the build for want of KVM: without /dev/kvm (or when the training run fails) the
# launcher is written without an archive and says so.
# Usage: make-launcher.sh TARGET_DIR JAVA_HOME    (run by vmm/pom.xml in the package phase)
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
target=$(CDPATH= cd -- "${1:?target directory}" && pwd -P)
jdk=${2:?java home}
java=$(readlink -f "$jdk/bin/java")
jar=$target/vmm.jar
# The JVM options the launcher passes (docs/STARTUP.md): G1, because it is the only collector
# whose archived heap objects (the module graph, among others) Java 17 maps from a CDS archive:
# 10-15 ms less start-up than the serial collector, for ~1 MiB more RSS; a heap of 8 MiB that may
# grow to 64 (the VMM's data lives outside it; a tiny run allocates ~1.2 MB, and G1 sets up its
# side tables for every committed region: 0.3 MiB less RSS than starting at 64); no perf-data
# file; the C1 compiler only on one thread (10-15% less CPU and 3 MiB less for a short run; the
# exit path's cost is KVM's, so long runs lose little; JAVA_OPTS=-XX:TieredStopAtLevel=4 brings
# C2 back), compiling a method after 20 times the default number of calls (C1 took 42 ms of CPU
# for 266 methods of a tiny guest's run at the default; at 20x a tiny run has 0.3 MiB less RSS in
# the same wall and CPU time, and a million port exits (8.6 s) or a Linux boot to /init (25 s)
# take as long as at 5x: the exit path is compiled after a few thousand exits either way); the
# JVM's string and symbol tables start with 1,024 buckets instead of 65,536 and 32,768 (the bucket
# arrays are zeroed, so resident, in full: 0.73 MiB for the ~300 strings and ~35 symbols a run
# interns; both tables grow when they fill).
# SymbolTableSize is an experimental option in Java 17, hence the unlock (which also lets other
# experimental options through in $JAVA_OPTS).
jvm_opts="-XX:+UseG1GC -Xms8m -Xmx64m -XX:-UsePerfData -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:CompileThresholdScaling=20 -XX:StringTableSize=1024 -XX:+UnlockExperimentalVMOptions -XX:SymbolTableSize=1024"

rm -rf "$target/lib" "$target/vmm.jsa"
mkdir -p "$target/lib/unpack"
(cd "$target/lib/unpack" && "$jdk/bin/jar" xf "$jar" com/sun/jna/linux-x86-64/libjnidispatch.so linux-x86-64/libminivmm.so)
mv "$target/lib/unpack/com/sun/jna/linux-x86-64/libjnidispatch.so" "$target/lib/unpack/linux-x86-64/libminivmm.so" "$target/lib/"
rm -rf "$target/lib/unpack"
# lib/logger-finder.jar and lib/logger-finder-2.jar: one file each,
# META-INF/services/java.lang.System$LoggerFinder naming io.minivmm.vmm.launcher.JulLoggerFinder
# (in vmm.jar). Ahead of vmm.jar on the launcher's class path they end the JDK's LoggerFinder
# lookup, which java.util.logging makes when JNA's loggers start, before it reads vmm.jar's
# central directory (~0.5 MiB of heap, ~8 ms): a run that reads no resource never opens vmm.jar.
# Two jars, because the JDK's class-path resource enumeration looks one match ahead; two providers
# in each, because the JDK asks for a second one when it first makes a System.Logger
# (JulLoggerFinder says more). Their classes are added to the archive's class list below.
mkdir -p "$target/lib/finder/META-INF/services"
printf 'io.minivmm.vmm.launcher.JulLoggerFinder\nio.minivmm.vmm.launcher.JulLoggerFinder$Spare\n' \
    >"$target/lib/finder/META-INF/services/java.lang.System\$LoggerFinder"
(cd "$target/lib/finder" && "$jdk/bin/jar" cfM ../logger-finder.jar META-INF)
rm -rf "$target/lib/finder"
cp "$target/lib/logger-finder.jar" "$target/lib/logger-finder-2.jar"
classpath="$target/lib/logger-finder.jar:$target/lib/logger-finder-2.jar:$jar"

# The trained Java's feature version (its release file): 22 and later need --enable-native-access
# for JNA to load quietly once the manifest is not read (vmm.sh says why it is not).
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release" 2>/dev/null || true)
native_access=--enable-native-access=ALL-UNNAMED
if [ -n "$feature" ] && [ "$feature" -lt 22 ]; then native_access=; fi
sed -e "s|@TRAINED_JAR@|$jar|" -e "s|@TRAINED_JAVA@|$java|" -e "s|@JVM_OPTS@|$jvm_opts|" \
    -e "s|@NATIVE_ACCESS@|$native_access|" "$here/vmm.sh" >"$target/vmm.tmp"
chmod 755 "$target/vmm.tmp"
mv "$target/vmm.tmp" "$target/vmm"

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "minivmm launcher: /dev/kvm is not usable here: $target/vmm is written without a class-data-sharing archive (it starts slower)"
  exit 0
fi
# The training runs: the launcher's own options, so the archive holds what it will load. The demo
# guest, then one guest per other loader (PVH, Multiboot 2 and 1, ELF, boot sector: they exit
# through the debug-exit port with their own status, which is not checked); the class lists are
# merged in order of first appearance, then dumped into one archive.
train=$target/cds-training
rm -rf "$train"
mkdir -p "$train"
# (a guest missing from the jar is skipped: it only narrows the archive)
(cd "$train" && "$jdk/bin/jar" xf "$jar" guests/pvh.elf guests/mb2.elf guests/mb1elf32.elf guests/elf32.elf guests/bootsector.bin) || true
log=$target/vmm.jsa.log
: >"$log"
# stdin an empty file, not /dev/null: a run with a stdin has an input thread (one on /dev/null
# has none), and its classes belong in the archive.
: >"$train/stdin"
ok=true
n=0
for guest in "" pvh.elf mb2.elf mb1elf32.elf elf32.elf bootsector.bin; do
  if [ -n "$guest" ] && [ ! -f "$train/guests/$guest" ]; then continue; fi
  n=$((n + 1))
  status=0
  # shellcheck disable=SC2086
  "$java" -XX:DumpLoadedClassList="$train/classes.$n" $jvm_opts $native_access \
      -Djna.boot.library.path="$target/lib" -Dminivmm.library.path="$target/lib" \
      -cp "$classpath" io.minivmm.vmm.Main --timeout 60s ${guest:+--kernel "$train/guests/$guest"} >>"$log" 2>&1 <"$train/stdin" || status=$?
  if [ -z "$guest" ] && [ "$status" -ne 0 ]; then ok=false; fi   # the demo must pass
  [ -s "$train/classes.$n" ] || ok=false
done
if $ok; then
  # Newer JDKs number the classes of each list ("id: N", only needed by classes from custom
  # loaders, which these lists do not have): the numbers clash across lists, so they are dropped.
  # A line is kept as many times as the list that repeats it most has it: one "@lambda-proxy" line
  # is one lambda call site, and two call sites with the same shape (two Long::compareUnsigned
  # comparators in one class) give two identical lines, each archiving a proxy class of its own;
  # merged down to one, the second call site spins its class at run time (~1 ms each, six of them).
  awk 'FNR == 1 { split("", here) }
       { sub(/ id: [0-9]+$/, ""); n = ++here[$0]; if (n > most[$0]) { most[$0] = n; order[++k] = $0 } }
       END { for (i = 1; i <= k; i++) print order[i] }' "$train"/classes.* >"$train/classes"
  # The launcher's LoggerFinder classes that a run uses only if something makes a System.Logger
  # (Java 25 does at exit): archived too, so that loading them never opens vmm.jar.
  printf '%s\n' 'io/minivmm/vmm/launcher/JulLoggerFinder' 'io/minivmm/vmm/launcher/JulLoggerFinder$Spare' \
      'io/minivmm/vmm/launcher/JulLoggerFinder$JulLogger' >>"$train/classes"
  # shellcheck disable=SC2086
  "$java" -Xshare:dump -XX:SharedClassListFile="$train/classes" -XX:SharedArchiveFile="$target/vmm.jsa" \
      $jvm_opts $native_access -cp "$classpath" >>"$log" 2>&1 </dev/null || ok=false   # the launcher's module options and class path
fi
rm -rf "$train"
if $ok && [ -f "$target/vmm.jsa" ]; then
  echo "minivmm launcher: $target/vmm with class-data-sharing archive vmm.jsa ($(wc -c <"$target/vmm.jsa") bytes)"
else
  rm -f "$target/vmm.jsa"
  echo "minivmm launcher: the training runs failed (see $log): $target/vmm is written without a class-data-sharing archive"
fi
