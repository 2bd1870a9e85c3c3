package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Creating, running and closing many VMs leaks no file descriptor and no mapping. */
@RequiresKvm
class ResourceLeakTest {
    static long fds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static long maps() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).size();
    }

    /** fds that point at KVM objects: /dev/kvm, VMs, vCPUs. */
    static java.util.List<String> kvmFds() throws IOException {
        java.util.List<String> n = new java.util.ArrayList<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.equals("/dev/kvm") || target.startsWith("anon_inode:kvm")) n.add(p.getFileName() + " -> " + target);
                } catch (IOException gone) {
                    // the directory stream's own fd, closed by now
                }
            }
        }
        return n;
    }

    /** Mappings of vCPU kvm_run pages (they show as anon_inode:kvm-vcpu). */
    static long kvmMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("anon_inode:kvm")).count();
    }

    static RunResult tiny() throws IOException {
        byte[] code = {(byte) 0xb0, 0, (byte) 0xe6, (byte) 0xf4}; // mov al,0; out 0xf4,al
        return Vm.builder().image("tiny", code).raw(0x7c00, 0x7c00, CpuMode.REAL).memory(2 << 20)
                .timeout(Duration.ofSeconds(20)).build().run();
    }

    @Test
    void thousandVmsLeakNoFdAndNoMapping() throws Exception {
        for (int i = 0; i < 20; i++) assertEquals(0, tiny().exitStatus()); // warm-up: JIT, JNA, thread stacks
        System.gc();
        long fd0 = fds();
        long maps0 = maps();
        for (int i = 0; i < 1000; i++) {
            RunResult r = tiny();
            assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message());
        }
        System.gc();
        long fd1 = fds();
        long maps1 = maps();
        assertEquals(java.util.List.of(), kvmFds(), "no /dev/kvm, VM or vCPU fd may outlive its VM");
        assertEquals(0, kvmMappings(), "no kvm_run mapping may outlive its vCPU");
        // The JVM opens and closes a few fds of its own (jars, /proc listings); 1000 leaked VMs
        // would leave at least 3000 (kvm, vm, vcpu each).
        assertTrue(fd1 <= fd0 + 2, "file descriptors grew from " + fd0 + " to " + fd1);
        // Tens of maps lines come and go with the JIT's code cache, GC and thread stacks (22 seen
        // in a full CI run); 1000 leaked VMs would leave at least 1000 (one guest RAM mapping each).
        assertTrue(maps1 - maps0 < 200, "mappings grew from " + maps0 + " to " + maps1);
    }
}
