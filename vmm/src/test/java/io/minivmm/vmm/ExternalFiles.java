package io.minivmm.vmm;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need files from outside the repository: the real Linux images of
 * {@code <repo>/../shared/images} and the Debian cloud kernel that {@code scripts/fetch-debian-kernel.sh}
 * downloads into {@code images-cache/}. A user's {@code mvn verify} skips such a test with the
 * reason printed; {@code .ci/run} passes {@code -Dminivmm.requireImages=true}, which turns the skip
 * into a failure, so CI still runs every test (as {@code minivmm.requireKvm} does for KVM).
 */
public final class ExternalFiles {
    private ExternalFiles() {}

    /** The system property that makes a missing file a failure instead of a skip. */
    public static final String REQUIRE_PROPERTY = "minivmm.requireImages";

    /** Skips the calling test (or fails it under {@code -Dminivmm.requireImages=true}) unless {@code present}. */
    public static void assume(boolean present, String reason) {
        if (present) return;
        if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
            Assertions.fail(reason + " (-D" + REQUIRE_PROPERTY + "=true: a missing image is a failure)");
        }
        // Printed as well: surefire's summary counts skips but does not show their reasons.
        System.err.println("minivmm test skipped: " + reason);
        Assumptions.assumeTrue(false, reason);
    }
}
