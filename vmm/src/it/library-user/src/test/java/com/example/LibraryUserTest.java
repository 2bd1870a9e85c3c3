package com.example;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What a test author gets from the minivmm library artifact alone. */
class LibraryUserTest {
    @Test
    @RequiresKvm
    void bootsTheDemoGuestAndLogsThroughTheUsersConfiguration() throws Exception {
        RunResult r;
        try (Vm vm = Vm.builder().expect(Pattern.compile("hello from 64-bit long mode"))
                .timeout(Duration.ofSeconds(60)).build()) {
            r = vm.run();
        }
        assertEquals(Outcome.EXPECT_MATCHED, r.outcome(), r.message());
        assertTrue(r.serialText().contains("minivmm demo guest"), r.serialText());
        // minivmm's debug line, at the level and in the pattern of this project's log4j2-test.xml.
        org.apache.logging.log4j.LogManager.shutdown();
        String log = Files.readString(Path.of("target/user.log"));
        assertTrue(log.contains("USER|DEBUG|minivmm|demo: "), "minivmm's lines follow the user's configuration: " + log);
    }

    @Test
    void theLibraryBringsNoLoggingConfiguration() {
        assertNull(getClass().getClassLoader().getResource("log4j2.xml"), "a log4j2.xml on the class path would take over");
    }

    @Test
    void theRuntimeClasspathHasNoLoggingImplementationAndNoJunit() throws Exception {
        List<String> tree = Files.readAllLines(Path.of("target/runtime-tree.txt"));
        String all = String.join("\n", tree);
        assertTrue(all.contains("io.minivmm:vmm:jar:"), all);
        assertTrue(all.contains("net.java.dev.jna:jna:jar:"), all);
        assertTrue(all.contains("org.apache.logging.log4j:log4j-api:jar:"), all);
        for (String forbidden : new String[] {"log4j-core", "junit", "opentest4j", "commons-cli", "gson", "slf4j", "logback"}) {
            assertFalse(all.contains(forbidden), forbidden + " must not be a runtime dependency:\n" + all);
        }
    }
}
