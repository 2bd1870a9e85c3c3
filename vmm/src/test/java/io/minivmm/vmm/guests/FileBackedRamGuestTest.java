package io.minivmm.vmm.guests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.minivmm.kvm.Kvm;
import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.VmFd;
import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.kvm.memory.MemoryMapping;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.memory.RamBacking;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guest RAM from a file or a memfd (SPEC-seeds §3 "linear"), written by a guest on a real vCPU. */
@RequiresKvm
class FileBackedRamGuestTest {
    private static final long MIB = 1 << 20;

    /** Real mode at 0x1000: DS=0; [0x5000] = 0xcafebeef (two word stores); then {@code tail}. */
    private static byte[] program(int... tail) {
        int[] head = {0x31, 0xc0, 0x8e, 0xd8, 0xc7, 0x06, 0x00, 0x50, 0xef, 0xbe, 0xc7, 0x06, 0x02, 0x50, 0xfe, 0xca};
        byte[] b = new byte[head.length + tail.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i < head.length ? head[i] : tail[i - head.length]);
        return b;
    }

    private static int u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** Through the whole VMM: {@code --mem-file} semantics, a short file grown, the writes in the file. */
    @Test
    void guestWritesReachASharedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ram.img");
        byte[] old = new byte[(int) MIB];
        Arrays.fill(old, (byte) 0x11);
        Files.write(file, old);
        byte[] code = program(0xb0, 0x2a, 0xe6, 0xf4, 0xf4); // mov al,42; out 0xf4,al; hlt
        RunResult r = Vm.builder().image("ramwrite", code).raw(0x1000, 0x1000, CpuMode.REAL).memory(2 * MIB)
                .memoryFile(file).timeout(Duration.ofSeconds(20)).build().run();
        assertEquals(42, r.exitStatus(), r.outcome() + " " + r.serialText());
        byte[] after = Files.readAllBytes(file);
        assertEquals(2 * MIB, after.length, "a short file is grown to the RAM size");
        assertEquals(0xcafebeef, u32(after, 0x5000), "the guest's store is in the file");
        assertArrayEquals(code, Arrays.copyOfRange(after, 0x1000, 0x1000 + code.length), "the loaded image too");
    }

    /** A memfd shared with the host: the host's second mapping sees the guest's store, and back. */
    @Test
    void hostSeesGuestWritesThroughTheMemfd() throws Exception {
        RamBacking memfd = new RamBacking(GuestMemory.Backing.LAZY, false, RamBacking.Source.MEMFD, null);
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm(); GuestMemory mem = GuestMemory.create(2 * MIB, memfd)) {
            mem.registerSlots(vm);
            mem.write(0x1000, program(0xf4));
            runToHlt(vm);
            try (MemoryMapping host = mem.sharedFile().orElseThrow().map(0, 2 * MIB, true)) {
                assertEquals(0xcafebeef, host.readU32(0x5000));
                host.writeU64(0x1122_3344_5566_7788L, 0x6000);
                assertEquals(0x1122_3344_5566_7788L, mem.readU64(0x6000));
            }
        }
    }

    /** MAP_PRIVATE of a file (snapshot restore): the guest starts from the file, the file never changes. */
    @Test
    void copyOnWriteFileKeepsTheFileUnchanged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snapshot.img");
        byte[] image = new byte[(int) (2 * MIB)];
        Arrays.fill(image, (byte) 0x77);
        byte[] code = program(0xf4);
        System.arraycopy(code, 0, image, 0x1000, code.length);
        Files.write(file, image);
        RamBacking cow = new RamBacking(GuestMemory.Backing.LAZY, false, RamBacking.Source.FILE_PRIVATE, file);
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm(); GuestMemory mem = GuestMemory.create(2 * MIB, cow)) {
            mem.registerSlots(vm);
            assertEquals(0x7777_7777_7777_7777L, mem.readU64(0x8000), "RAM starts as the file");
            runToHlt(vm);
            assertEquals(0xcafebeef, mem.readU32(0x5000));
            assertEquals(java.util.Optional.empty(), mem.sharedFile());
        }
        assertArrayEquals(image, Files.readAllBytes(file), "the file is never written");
    }

    private static void runToHlt(VmFd vm) {
        VcpuFd v = vm.createVcpu(0);
        Sregs s = v.getSregs();
        v.setSregs(s.toBuilder().cs(s.cs().withBaseSelector(0, 0)).build());
        v.setRegs(Regs.ZERO.with(Regs.Reg.RIP, 0x1000));
        assertInstanceOf(VcpuExit.Hlt.class, v.run());
    }
}
