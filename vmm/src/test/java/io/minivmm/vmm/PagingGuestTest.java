package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.paging.MappingFlags;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The paging API used for real: guests in guest/src/asm run on a vCPU with tables the VMM built
 * through PageTable64/AddressSpace, and check what those tables promise.
 */
@RequiresKvm
class PagingGuestTest {
    static final MappingFlags R = MappingFlags.READ;
    static final MappingFlags RW = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE);

    static byte[] guest(String name) throws IOException {
        try (InputStream in = PagingGuestTest.class.getResourceAsStream("/guests/" + name + ".bin")) {
            assertNotNull(in, "guest " + name + " was not built");
            return in.readAllBytes();
        }
    }

    static VmBuilder longMode(String name) throws IOException {
        return Vm.builder().image(name, guest(name)).raw(0x100000, 0x100000, CpuMode.LONG).memory(16 << 20)
                .timeout(Duration.ofSeconds(30));
    }

    @Test
    void lazyAllocAreaGetsFramesOnFirstTouch() throws Exception {
        RunResult r = longMode("pflazy").mapAlloc(0x4000_0000L, 0x4000, RW, false).build().run();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message() + "\n" + r.serialText() + r.crashReport());
        assertEquals(0, r.exitStatus(), r.serialText());
        assertTrue(r.serialText().contains("lazy alloc area ok"), r.serialText());
        // Three distinct pages touched: exactly three faults reported (a write to an already
        // resolved page must not fault again). Each report is 3 outs and 1 in on the port.
        assertEquals(3L, r.portCounts().get("0x5f8") / 2, r.portCounts().toString());
    }

    @Test
    void withoutTheAreaTheFaultIsUnresolved() throws Exception {
        // Same guest, but the VMM maps nothing there: the first write faults with P=0, W=1 (2).
        RunResult r = longMode("pflazy").mapAlloc(0x7000_0000L, 0x1000, RW, false).build().run();
        assertEquals(0x82, r.exitStatus(), r.serialText());
        assertTrue(r.serialText().contains("unresolved #PF"));
    }

    @Test
    void writeToReadOnlyAreaFaults() throws Exception {
        RunResult r = longMode("pfro").mapAlloc(0x5000_0000L, 0x1000, R, true).build().run();
        assertTrue(r.serialText().contains("read-only area readable"), r.serialText());
        assertEquals(0x83, r.exitStatus(), "P|W error code: " + r.serialText());
    }

    @Test
    void noExecuteIsHonoured() throws Exception {
        RunResult r = longMode("pfnx").mapAlloc(0x6000_0000L, 0x1000, RW, true).build().run();
        assertTrue(r.serialText().contains("no-exec area written"), r.serialText());
        assertEquals(0x91, r.exitStatus(), "P|I/D error code: " + r.serialText());
    }

    @Test
    void executableAreaRunsTheSameCode() throws Exception {
        // Control for the NX test: with EXECUTE the call returns and the guest reaches its
        // "not reached" exit 2 — proving the 0x91 above comes from NX and nothing else.
        MappingFlags rwx = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.EXECUTE);
        RunResult r = longMode("pfnx").mapAlloc(0x6000_0000L, 0x1000, rwx, true).build().run();
        assertEquals(2, r.exitStatus(), r.serialText());
    }

    @Test
    void higherHalfAliasReadsTheSameMemory() throws Exception {
        RunResult r = longMode("hhalias").mapLinear(0xffff_ffff_8000_0000L, 0, 16 << 20, RW).build().run();
        assertEquals(0, r.exitStatus(), r.serialText() + r.crashReport());
        assertTrue(r.serialText().contains("higher-half alias ok"));
    }
}
