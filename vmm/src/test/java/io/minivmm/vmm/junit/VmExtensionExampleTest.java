package io.minivmm.vmm.junit;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.VmSession;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The example of docs/SNAPSHOT.md: three tests against one boot of guest/src/asm/snapguest.S.
 * Each test changes the guest (its answer counter, its table, or ends it); each starts from the
 * snapshot taken at the prompt anyway.
 */
@RequiresKvm
@MinivmmGuest(image = "/guests/snapguest.bin", format = "raw", loadAddress = 0x100000, mode = "long", memoryMiB = 32,
        readyOn = "ready> ", timeoutSeconds = 30)
@ExtendWith(VmExtension.class)
class VmExtensionExampleTest {
    static final Pattern COUNT = Pattern.compile("n=(\\p{XDigit}{16})\r\n");
    static final Set<VmSession> sessions = Collections.newSetFromMap(new IdentityHashMap<>());

    @Test
    void answersAQuestion(VmSession s) {
        sessions.add(s);
        s.send("question\n");
        assertTrue(s.expect(COUNT).endsWith("n=0000000000000000\r\n"));
    }

    @Test
    void everyTestStartsFromTheSnapshot(VmSession s) {
        sessions.add(s);
        s.send("keep\n");
        assertTrue(s.expect(COUNT).endsWith("n=0000000000000000\r\n"), "fresh from the snapshot");
        s.send("keep\n");
        assertTrue(s.expect(COUNT).endsWith("n=0000000000000001\r\n"));
    }

    @Test
    void theGuestMayEndATest(VmSession s) throws Exception {
        sessions.add(s);
        assertFalse(s.transcript().contains("snapguest: boot"), "restored, not booted");
        s.send("bye\n");
        s.expect(COUNT);
        assertNotNull(s.awaitEnd(java.time.Duration.ofSeconds(10)), "the guest exited; the next test resets it");
    }

    @AfterAll
    static void oneSessionForAllThree() {
        assertEquals(1, sessions.size(), "one boot, one session");
    }
}
