package io.minivmm.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.VmBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Loads the test guests that the guest module assembles from guest/src/asm into the jar
 * ({@code /guests/NAME.bin} or {@code /guests/NAME.elf}), and the assertions every guest test
 * shares. Each guest prints what it checked over COM1, then "PASS" and exits with status 0, or
 * "FAIL: check 0x.." and exits with that check's code.
 */
final class TestGuests {
    private TestGuests() {}

    /** Generous: two cores are shared and guest CPL0 code may be emulated instruction by instruction. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static byte[] bytes(String resource) throws IOException {
        try (InputStream in = Vm.class.getResourceAsStream("/guests/" + resource)) {
            assertNotNull(in, "guest /guests/" + resource + " is not on the classpath (run mvn package first)");
            return in.readAllBytes();
        }
    }

    /** A builder for the guest {@code resource} with the shared timeout. */
    static VmBuilder guest(String resource) throws IOException {
        return Vm.builder().image(resource, bytes(resource)).timeout(TIMEOUT);
    }

    /** The run ended through the debug-exit port with status 0 after the guest printed PASS. */
    static void assertPassed(RunResult r) {
        String why = r.message() + "\n--- serial:\n" + r.serialText() + r.crashReport();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), why);
        assertEquals(0, r.exitStatus(), why);
        assertTrue(r.serialText().endsWith("PASS\r\n"), why);
        assertTrue(!r.serialText().contains("FAIL"), why);
    }

    /** The serial output contains {@code line} followed by CR LF. */
    static void assertLine(RunResult r, String line) {
        assertTrue(r.serialText().contains(line + "\r\n"), "expected the line '" + line + "' in:\n" + r.serialText());
    }
}
