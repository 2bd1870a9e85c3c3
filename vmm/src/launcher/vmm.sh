#!/bin/sh
# minivmm: runs the CLI jar beside this script (vmm.jar), as `java -jar vmm.jar "$@"` does, only
# faster to start. Written by the build (vmm/src/launcher/make-launcher.sh); see docs/STARTUP.md.
#  - the class-data-sharing archive vmm.jsa that the build trained on the demo guest, when this
#    java is the one that made it and the jar is the one it was made from (else plain start);
#  - JNA's libjnidispatch.so and minivmm's libminivmm.so unpacked once in lib/, so nothing is
#    extracted to a temporary file on every start;
#  - the serial collector, a small heap (the VMM's data lives outside the Java heap) and C1 only.
# Java: $JAVA_HOME/bin/java, else java on the PATH. Extra JVM options: $JAVA_OPTS (split on
# spaces; they come last, so they override the defaults above).
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P) || exit 70
jar=$here/vmm.jar
if [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java; else java=java; fi
cds=
if [ -f "$here/vmm.jsa" ] && [ ! "$jar" -nt "$here/vmm.jsa" ] && [ "$jar" = "@TRAINED_JAR@" ]; then
  # The archive is only valid for the JVM build that wrote it: compare the resolved binaries.
  resolved=$(command -v "$java" 2>/dev/null) && resolved=$(readlink -f "$resolved" 2>/dev/null) || resolved=
  [ "$resolved" = "@TRAINED_JAVA@" ] && cds=-XX:SharedArchiveFile=$here/vmm.jsa
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec "$java" ${cds:+"$cds"} -Xshare:auto @JVM_OPTS@ \
  -Djna.boot.library.path="$here/lib" -Dminivmm.library.path="$here/lib" \
  ${JAVA_OPTS:-} -jar "$jar" "$@"
