#!/bin/sh
# minivmm: runs the CLI jar beside this script (vmm.jar), as `java -jar vmm.jar "$@"` does, only
# faster to start. Written by the build (vmm/src/launcher/make-launcher.sh); see docs/STARTUP.md.
#  - the class-data-sharing archive vmm.jsa that the build trained on the demo and on a guest of
#    each other image format, when this java is the one that made it and the jar is the one it
#    was made from (else a plain `java -jar`);
#  - JNA's libjnidispatch.so and minivmm's libminivmm.so unpacked once in lib/, so nothing is
#    extracted to a temporary file on every start;
#  - G1 (whose archived module graph Java 17 can map), a small heap (the VMM's data lives outside
#    the Java heap), C1 only, compiling later than by default, and small string/symbol tables.
# Java: $JAVA_HOME/bin/java, else java on the PATH. Extra JVM options: $JAVA_OPTS (split on
# spaces; they come last, so they override the defaults above).
# No child process runs before java: every check below is a shell builtin (a fork and exec of
# dirname, readlink or pwd costs about a millisecond each on a small VM).
case $0 in
  */*) here=${0%/*} ;;
  *) here=. ;;   # run as `sh vmm` from its own directory
esac
jar=$here/vmm.jar
if [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
  javabin=$java
else
  java=java
  javabin=
  saved_ifs=$IFS; IFS=:; set -f
  for dir in $PATH; do
    if [ -x "${dir:-.}/java" ] && [ ! -d "${dir:-.}/java" ]; then javabin=${dir:-.}/java; break; fi
  done
  IFS=$saved_ifs; set +f
fi
cds=
# The archive is only valid for the jar and the JVM build that wrote it: -ef compares the files
# (symbolic links followed), as the JVM would refuse an archive from another build anyway.
if [ -f "$here/vmm.jsa" ] && [ -f "$here/lib/logger-finder.jar" ] && [ -f "$here/lib/logger-finder-2.jar" ] \
   && [ ! "$jar" -nt "$here/vmm.jsa" ] && [ ! "$here/lib/logger-finder.jar" -nt "$here/vmm.jsa" ] \
   && [ ! "$here/lib/logger-finder-2.jar" -nt "$here/vmm.jsa" ] && [ "$jar" -ef "@TRAINED_JAR@" ] \
   && [ -n "$javabin" ] && [ "$javabin" -ef "@TRAINED_JAVA@" ]; then
  cds=-XX:SharedArchiveFile=$here/vmm.jsa
fi
# With the archive: -cp and the main class rather than -jar, so that the JVM does not open the jar
# to read its manifest (a 4,000-entry central directory: ~0.5 MiB of heap and a few ms). With the
# two one-file jars of lib/ ahead of it (the class path the archive was made with), a run that
# reads no resource from the jar never opens it at all: its classes come from the archive, and
# the JDK's LoggerFinder lookup ends in lib/ (io.minivmm.vmm.launcher.JulLoggerFinder says why
# two). The manifest's Enable-Native-Access is then replaced by --enable-native-access, but only
# where the trained Java needs it (22 and later warn about JNA without it): on Java 17 the option
# would switch off the archived module graph (~5 ms). Without the archive (another Java): -jar,
# whose manifest serves every version.
if [ -n "$cds" ]; then
  set -- @NATIVE_ACCESS@ -cp "$here/lib/logger-finder.jar:$here/lib/logger-finder-2.jar:$jar" io.minivmm.vmm.Main "$@"
else
  set -- -jar "$jar" "$@"
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec "$java" ${cds:+"$cds"} -Xshare:auto @JVM_OPTS@ \
  -Djna.boot.library.path="$here/lib" -Dminivmm.library.path="$here/lib" \
  ${JAVA_OPTS:-} "$@"
