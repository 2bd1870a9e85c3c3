package io.minivmm.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions shared by the loader tests. */
final class Expect {
    private Expect() {
    }

    interface Load {
        BootPlan run() throws ImageException;
    }

    /** The load fails with an ImageException whose one-line message contains every fragment. */
    static ImageException imageError(Load load, String... fragments) {
        try {
            BootPlan p = load.run();
            fail("expected ImageException containing " + String.join(", ", fragments) + " but loaded: " + p);
            return null;
        } catch (ImageException e) {
            String m = e.getMessage();
            assertFalse(m == null || m.isBlank(), "empty message");
            assertFalse(m.contains("\n") || m.contains("\r"), "multi-line message: " + m);
            for (String f : fragments) {
                assertTrue(m.contains(f), () -> "message '" + m + "' lacks '" + f + "'");
            }
            return e;
        }
    }

    static BootPlan.Region region(BootPlan plan, String what) {
        return plan.writes().stream().filter(r -> r.what().equals(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no region '" + what + "' in " + plan.writes()));
    }
}
