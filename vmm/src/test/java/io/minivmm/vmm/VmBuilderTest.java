package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder arguments are checked where they are given, with messages that name the argument. */
class VmBuilderTest {
    private static void refused(String says, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void badArgumentsAreRefusedWithTheirName() {
        refused("serialCaptureLimit", () -> Vm.builder().serialCaptureLimit(-1));
        refused("memory", () -> Vm.builder().memory(100));
        refused("memory", () -> Vm.builder().memory((1L << 20) + 1));
        refused("cpus", () -> Vm.builder().cpus(0));
        refused("cpus", () -> Vm.builder().cpus(255));
        refused("timeout", () -> Vm.builder().timeout(Duration.ZERO));
        refused("timeout", () -> Vm.builder().timeout(Duration.ofSeconds(-1)));
        refused("format", () -> Vm.builder().format("exe"));
        assertThrows(NullPointerException.class, () -> Vm.builder().image("x", null));
        refused("too large", () -> Vm.builder().memory(1L << 50).build());
    }

    @Test
    void goodArgumentsPass() {
        assertNotNull(Vm.builder().serialCaptureLimit(0).memory(2 << 20).cpus(2).timeout(null)
                .timeout(Duration.ofMillis(1)).format("elf").format("AUTO").build());
    }
}
