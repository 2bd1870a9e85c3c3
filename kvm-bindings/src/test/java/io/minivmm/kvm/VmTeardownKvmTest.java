package io.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link VmFd#close()} hands the VM's last reference to the kernel (an io_uring's file table)
 * instead of waiting for the teardown: the VM must still be torn down, and this process must
 * keep nothing of it. A VM's in-kernel PIT runs a kernel thread named {@code kvm-pit/<pid>} that
 * exits only when the VM is destroyed: it shows whether the kernel really freed the VM.
 */
@RequiresKvm
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VmTeardownKvmTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void deferredCloseLeavesNoFdAndTheKernelStillDestroysTheVm() throws Exception {
        Assumptions.assumeTrue(ioUringAllowed(), "io_uring is disabled on this host (kernel.io_uring_disabled)");
        int before = 0;
        VmFd.deferralBudget(VmFd.DEFERRALS_PER_SECOND); // a fresh budget, whatever ran before
        for (int i = 0; i < 3; i++) {
            before = settled();
            TestVm t = new TestVm(1 << 20, 0, true);
            t.vm.createVcpu(0);
            assertEquals(before + 1, pitThreads(), "the PIT's thread runs while the VM is open");
            t.close();
            assertTrue(t.vm.teardownDeferred(), "the teardown was handed to the kernel");
        }
        assertFalse(openFds().anyMatch(l -> l.contains("kvm-vm") || l.contains("kvm-vcpu") || l.contains("io_uring")),
                "no VM, vCPU or io_uring fd is left open");
        awaitPitThreads(before);
    }

    /**
     * The ring's teardown sends task work to the threads that used it, which makes their next
     * interruptible ioctl fail with EINTR; the stub therefore uses a thread of its own. With the
     * ring made on the calling thread, ~3 in 200 of these creations failed.
     */
    @Test
    void theClosingThreadCanCreateTheNextVmAtOnce() throws Exception {
        Assumptions.assumeTrue(ioUringAllowed(), "io_uring is disabled on this host (kernel.io_uring_disabled)");
        VmFd.deferralBudget(1000); // every close deferred, as fast as they come
        int deferred = 0;
        try (Kvm kvm = Kvm.open()) {
            for (int i = 0; i < 300; i++) {
                VmFd vm = kvm.createVm(); // a spurious EINTR would throw KvmException here
                vm.createIrqchip();
                vm.close();
                if (vm.teardownDeferred()) deferred++;
            }
        } finally {
            VmFd.deferralBudget(VmFd.DEFERRALS_PER_SECOND);
        }
        assertEquals(300, deferred);
        settled();
    }

    /** The kernel tears deferred VMs down one at a time: beyond the budget, close() waits, so they cannot pile up. */
    @Test
    void aTightLoopOfVmsDefersNoMoreThanTheBudget() throws Exception {
        Assumptions.assumeTrue(ioUringAllowed(), "io_uring is disabled on this host (kernel.io_uring_disabled)");
        settled();
        VmFd.deferralBudget(VmFd.DEFERRALS_PER_SECOND);
        int deferred = 0;
        long t0 = System.nanoTime();
        try (Kvm kvm = Kvm.open()) {
            for (int i = 0; i < 100; i++) {
                VmFd vm = kvm.createVm();
                vm.createIrqchip();
                vm.createPit2(1);
                vm.close();
                if (vm.teardownDeferred()) deferred++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(deferred >= VmFd.DEFERRALS_PER_SECOND, "the first budget's worth was deferred: " + deferred);
        assertTrue(deferred <= VmFd.DEFERRALS_PER_SECOND * (1 + (int) Math.ceil(seconds)),
                deferred + " deferred in " + seconds + " s");
        assertTrue(pitThreads() <= deferred, "no more VMs pending in the kernel than were deferred");
        settled();
    }

    @Test
    void theBudgetIsARollingSecond() {
        VmFd.deferralBudget(3);
        try {
            long t = 5_000_000_000L;
            assertTrue(VmFd.deferralAllowed(t));
            assertTrue(VmFd.deferralAllowed(t + 1));
            assertTrue(VmFd.deferralAllowed(t + 2));
            assertFalse(VmFd.deferralAllowed(t + 999_999_999L), "a fourth within the second");
            assertTrue(VmFd.deferralAllowed(t + 1_000_000_000L), "the first has left the window");
            assertFalse(VmFd.deferralAllowed(t + 1_000_000_000L));
            assertTrue(VmFd.deferralAllowed(t + 1_000_000_001L));
        } finally {
            VmFd.deferralBudget(VmFd.DEFERRALS_PER_SECOND);
        }
    }

    @Test
    void withTheDeferralSwitchedOffCloseWaitsForTheTeardown() throws Exception {
        int before = settled();
        System.setProperty(VmFd.DEFER_TEARDOWN_PROPERTY, "false");
        try {
            TestVm t = new TestVm(1 << 20, 0, true);
            t.vm.createVcpu(0);
            assertEquals(before + 1, pitThreads());
            t.close();
            assertFalse(t.vm.teardownDeferred());
        } finally {
            System.clearProperty(VmFd.DEFER_TEARDOWN_PROPERTY);
        }
        // The PIT's worker is stopped inside close(); its task may take a moment to be reaped.
        awaitPitThreads(before);
        assertFalse(openFds().anyMatch(l -> l.contains("kvm-vm")));
    }

    private static boolean ioUringAllowed() throws IOException {
        Path p = Path.of("/proc/sys/kernel/io_uring_disabled");
        return !Files.exists(p) || Files.readString(p).trim().equals("0");
    }

    /**
     * The VMs that earlier tests in this JVM closed may still be being torn down by the kernel:
     * wait for all of them (none of this JVM's tests leaves a VM open).
     */
    private static int settled() throws Exception {
        awaitPitThreads(0);
        return 0;
    }

    private static void awaitPitThreads(int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int n;
        while ((n = pitThreads()) != expected && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(expected, n, "every closed VM was destroyed by the kernel (its kvm-pit thread has gone)");
    }

    /** Kernel threads named kvm-pit/PID: one per VM of this process that has a PIT. */
    private static int pitThreads() throws IOException {
        String name = "kvm-pit/" + PID;
        int n = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) continue;
                try {
                    if (Files.readString(p.resolve("comm")).trim().equals(name)) n++;
                } catch (IOException gone) {
                    // exited while listed
                }
            }
        }
        return n;
    }

    private static Stream<String> openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(f -> {
                try {
                    return Files.readSymbolicLink(f).toString();
                } catch (IOException closed) {
                    return "";
                }
            }).toList().stream();
        }
    }
}
