package io.minivmm.vmm.junit;

import io.minivmm.vmm.Vm;
import io.minivmm.vmm.VmBuilder;
import io.minivmm.vmm.VmSession;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.snapshot.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit 5: one guest per test class, reset to a snapshot before every test.
 * <ol>
 *   <li>Before all tests: boots the {@link MinivmmGuest} of the class, waits for its
 *       {@code readyOn} output, snapshots it (a temporary file), closes the booted machine and
 *       restores a new one from the snapshot, so that every reset is MADV_DONTNEED of its RAM
 *       (docs/SNAPSHOT.md). With {@code snapshot = FILE} it restores that file instead.</li>
 *   <li>Before each test but the first: {@link VmSession#reset} to the snapshot.</li>
 *   <li>A test parameter of type {@link VmSession} receives the session.</li>
 *   <li>A failing test: the transcript since the last reset is published as the report entry
 *       {@code minivmm.transcript} and attached to the failure as a suppressed exception.</li>
 *   <li>After all tests: the machine and the temporary snapshot are closed.</li>
 * </ol>
 * <pre>{@code
 * @MinivmmGuest(kernel = "vmlinux", initrd = "initrd.cpio", memoryMiB = 64, readyOn = "# $")
 * @ExtendWith(VmExtension.class)
 * class ShellTest {
 *     @Test void ls(VmSession s) { s.send("ls /\n"); assertTrue(s.expect(Pattern.compile("# $")).contains("bin")); }
 * }
 * }</pre>
 */
public final class VmExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver,
        TestExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(VmExtension.class);
    /** Report entry key of a failing test's transcript. */
    public static final String TRANSCRIPT_KEY = "minivmm.transcript";

    /** What the extension keeps per test class. */
    private static final class Guest implements ExtensionContext.Store.CloseableResource {
        final Snapshot snapshot;
        final VmSession session;
        final boolean ownSnapshot;
        int tests;

        Guest(Snapshot snapshot, VmSession session, boolean ownSnapshot) {
            this.snapshot = snapshot;
            this.session = session;
            this.ownSnapshot = ownSnapshot;
        }

        @Override
        public void close() {
            session.close();
            if (ownSnapshot) snapshot.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> type = context.getRequiredTestClass();
        MinivmmGuest g = type.getAnnotation(MinivmmGuest.class);
        if (g == null) throw new ExtensionConfigurationException(type.getName() + " needs @MinivmmGuest for VmExtension");
        Duration timeout = Duration.ofSeconds(g.timeoutSeconds());
        Guest guest;
        if (!g.snapshot().isEmpty()) {
            Snapshot snap = Snapshot.open(Path.of(g.snapshot()));
            guest = new Guest(snap, builder(g, type).timeout(timeout).restore(snap), false);
        } else {
            if (g.readyOn().isEmpty()) throw new ExtensionConfigurationException("@MinivmmGuest needs readyOn (or snapshot)");
            Snapshot snap;
            try (VmSession boot = builder(g, type).timeout(timeout).start()) {
                boot.expect(Pattern.compile(g.readyOn()), timeout);
                snap = boot.snapshot();
            }
            try {
                guest = new Guest(snap, Vm.builder().timeout(timeout).restore(snap), true);
            } catch (RuntimeException | IOException e) {
                snap.close();
                throw e;
            }
        }
        context.getStore(NS).put(Guest.class, guest);
    }

    private static VmBuilder builder(MinivmmGuest g, Class<?> type) throws IOException {
        VmBuilder b = Vm.builder().memory((long) g.memoryMiB() << 20).cpus(g.cpus());
        if (!g.kernel().isEmpty()) {
            b.kernel(Path.of(g.kernel()));
        } else if (!g.image().isEmpty()) {
            try (InputStream in = type.getResourceAsStream(g.image())) {
                if (in == null) throw new ExtensionConfigurationException("no class path resource " + g.image());
                b.image(g.image(), in.readAllBytes());
            }
        } else if (g.snapshot().isEmpty()) {
            throw new ExtensionConfigurationException("@MinivmmGuest needs kernel, image or snapshot");
        }
        if (g.format().equalsIgnoreCase("raw")) {
            if (g.loadAddress() < 0) throw new ExtensionConfigurationException("a raw guest needs loadAddress");
            CpuMode mode = CpuMode.valueOf(g.mode().toUpperCase(Locale.ROOT));
            b.raw(g.loadAddress(), g.entry() < 0 ? g.loadAddress() : g.entry(), mode);
        } else {
            b.format(g.format());
        }
        if (!g.initrd().isEmpty()) b.initrd(Path.of(g.initrd()));
        if (!g.cmdline().isEmpty()) b.cmdline(g.cmdline());
        return b;
    }

    private static Guest guest(ExtensionContext context) {
        Guest g = context.getStore(NS).get(Guest.class, Guest.class);
        if (g == null) throw new ExtensionConfigurationException("VmExtension has no guest: register it on the class");
        return g;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Guest g = guest(context);
        if (g.tests++ > 0) g.session.reset(g.snapshot);
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == VmSession.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return guest(ec).session;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Guest g = context.getStore(NS).get(Guest.class, Guest.class);
        if (g != null) {
            String transcript = failure instanceof VmSession.ExpectException e ? e.transcript() : g.session.transcript();
            context.publishReportEntry(TRANSCRIPT_KEY, transcript);
            failure.addSuppressed(new GuestTranscript(transcript));
        }
        throw failure;
    }

    /** The guest's console output, attached to a failed test. */
    public static final class GuestTranscript extends Exception {
        GuestTranscript(String transcript) { super("guest serial transcript since the last reset:\n" + transcript, null, false, false); }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // The store closes the Guest (CloseableResource) when the class's context ends.
    }
}
