package io.minivmm.vmm.junit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.VmSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

/** A failing test of a VmExtension class gets the guest's transcript in its report and its failure. */
@RequiresKvm
class VmExtensionFailureTest {
    /** Run only through the launcher below (its name keeps surefire from picking it up). */
    @MinivmmGuest(image = "/guests/snapguest.bin", format = "raw", loadAddress = 0x100000, memoryMiB = 32, readyOn = "ready> ",
            timeoutSeconds = 30)
    @ExtendWith(VmExtension.class)
    static class Failing {
        @Test
        void expectsWhatNeverComes(VmSession s) {
            s.send("question\n");
            s.expect("no such output", Duration.ofMillis(500));
        }
    }

    @Test
    void theTranscriptIsAttached() {
        List<ReportEntry> entries = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Failing.class)).build(),
                new TestExecutionListener() {
                    @Override
                    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) { entries.add(entry); }

                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest()) result.getThrowable().ifPresent(failures::add);
                    }
                });
        assertEquals(1, failures.size(), "the test failed");
        Throwable f = failures.get(0);
        assertInstanceOf(VmSession.ExpectException.class, f);
        assertEquals(1, f.getSuppressed().length);
        assertTrue(f.getSuppressed()[0].getMessage().contains("answer: hash="), f.getSuppressed()[0].getMessage());
        assertTrue(entries.stream().anyMatch(e -> e.getKeyValuePairs().getOrDefault(VmExtension.TRANSCRIPT_KEY, "")
                .contains("answer: hash=")), entries.toString());
    }
}
