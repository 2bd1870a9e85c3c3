package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the self-contained CLI jar carries: the classes and natives a Linux x86-64 run needs, and
 * not the rest (other platforms' natives and constant tables, JUnit), which only lengthen the
 * central directory every start reads.
 */
class CliJarIT {
    @Test
    void nativesAndConstantTablesAreLinuxX8664Only() throws Exception {
        try (ZipFile jar = new ZipFile(Jar.jar().toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).collect(Collectors.toList());
            for (String needed : List.of("com/sun/jna/linux-x86-64/libjnidispatch.so", "linux-x86-64/libminivmm.so",
                    "jni/x86_64-Linux/libjffi-1.2.so", "jnr/constants/platform/linux/Errno.class",
                    "jnr/constants/platform/fake/Errno.class", "io/minivmm/vmm/Main.class")) {
                assertTrue(names.contains(needed), "the CLI jar lacks " + needed);
            }
            List<String> natives = names.stream()
                    .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".jnilib") || n.endsWith(".dylib")
                            || n.endsWith(".a"))
                    .collect(Collectors.toList());
            assertEquals(3, natives.size(), "only the three Linux x86-64 natives: " + natives);
            List<String> foreign = names.stream()
                    .filter(n -> n.startsWith("jnr/constants/platform/") && n.indexOf('/', "jnr/constants/platform/".length()) > 0)
                    .filter(n -> !n.startsWith("jnr/constants/platform/linux/") && !n.startsWith("jnr/constants/platform/fake/")
                            || n.matches("jnr/constants/platform/linux/[^/]+/.*"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), foreign, "other platforms' constant tables");
            assertTrue(names.stream().noneMatch(n -> n.startsWith("org/junit/")), "JUnit is not part of the CLI");
        }
    }
}
