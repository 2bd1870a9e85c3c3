package io.minivmm.kvm.x86;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The binary form of {@link VcpuState} and {@link VmState}: round trips, and a seeded fuzz that a
 * truncated or corrupt blob is refused with a {@link StateFormatException}, never anything else.
 */
class StateCodecTest {
    static VcpuState sampleVcpu(long seed, boolean withLapic) {
        Random r = new Random(seed);
        long[] regs = new long[18];
        for (int i = 0; i < 18; i++) regs[i] = r.nextLong();
        Segment cs = new Segment(r.nextLong(), 0xffffffffL, 8, 0xb, true, 0, false, true, true, true, false, false);
        Segment ds = new Segment(0, 0xfffff, 0x10, 3, true, 3, true, true, false, false, true, false);
        Segment un = new Segment(0, 0, 0, 0, false, 0, false, false, false, false, false, true);
        Sregs sregs = new Sregs(cs, ds, ds, ds, ds, ds, un, un, new DescriptorTable(0x5000, 0x27),
                new DescriptorTable(0x6000, 0xfff), 0x80050033L, r.nextLong(), 0x9000, 0x6b0, 0, 0xd01, 0xfee00900L,
                new long[] {1, 0, 0, 1L << 63});
        byte[] xs = new byte[4096];
        r.nextBytes(xs);
        List<MsrEntry> msrs = new ArrayList<>();
        for (int i = 0; i < 300; i++) msrs.add(new MsrEntry(0x100 + i, r.nextLong()));
        byte[] lapic = new byte[1024];
        r.nextBytes(lapic);
        byte[] ev = new byte[64];
        ev[0] = 1;
        ev[1] = 14;
        ev[25] = 1;
        ev[56] = (byte) 0xaa;
        VcpuEvents events = io.minivmm.kvm.sys.Structs.decodeEvents(
                java.nio.ByteBuffer.wrap(ev).order(java.nio.ByteOrder.LITTLE_ENDIAN));
        return new VcpuState(1, List.of(new CpuidEntry(0, 0, 0, 0xd, 1, 2, 3), new CpuidEntry(7, 0, 1, 0, 5, 6, 7)),
                3, Regs.of(regs), sregs, new Xsave(xs), List.of(new Xcr(0, 7)), msrs, withLapic ? lapic : null, events,
                new DebugRegs(new long[] {1, 2, 3, 4}, 0xffff0ff0L, 0x400, 0), 2_400_000);
    }

    static VmState sampleVm(boolean full) {
        Random r = new Random(7);
        List<Irqchip> chips = new ArrayList<>();
        if (full) {
            for (int id = 0; id < 3; id++) {
                byte[] s = new byte[512];
                r.nextBytes(s);
                chips.add(new Irqchip(id, s));
            }
        }
        PitState2 pit = full ? new PitState2(List.of(
                new PitChannel(0x1234, 7, 1, 0, 0x34, 3, 3, 0x12, 3, 2, 0, 1, 123456789L),
                new PitChannel(65536, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0),
                new PitChannel(65536, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1)), 2) : null;
        return new VmState(chips, pit, new ClockData(987654321L, 6, 17L, 42L));
    }

    @Test
    void vcpuStateRoundTrips() throws IOException {
        for (boolean lapic : new boolean[] {true, false}) {
            VcpuState s = sampleVcpu(1, lapic);
            assertEquals(s, VcpuState.fromBytes(s.toBytes()));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            s.writeTo(new DataOutputStream(bytes));
            assertEquals(s, VcpuState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
        }
        assertNotEquals(sampleVcpu(1, true), sampleVcpu(2, true));
        VcpuState s = VcpuState.fromBytes(sampleVcpu(3, true).toBytes());
        assertEquals(14, s.events().exceptionNr());
        assertTrue(s.events().smiPending(), "raw-only event fields survive");
        assertEquals(0xaaL, s.events().exceptionPayload());
        assertEquals(sampleVcpu(3, true).msr(0x105), s.msr(0x105));
    }

    @Test
    void vmStateRoundTrips() throws IOException {
        for (boolean full : new boolean[] {true, false}) {
            VmState s = sampleVm(full);
            VmState back = VmState.fromBytes(s.toBytes());
            assertEquals(s, back);
        }
    }

    @Test
    void versionMagicAndTrailingBytesAreRefusedWithAReason() throws IOException {
        byte[] good = sampleVcpu(1, true).toBytes();
        byte[] wrongVersion = reChecksum(good, 5, (byte) 2);
        StateFormatException e = assertThrows(StateFormatException.class, () -> VcpuState.fromBytes(wrongVersion));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        byte[] vmBlob = sampleVm(true).toBytes();
        e = assertThrows(StateFormatException.class, () -> VcpuState.fromBytes(vmBlob));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        e = assertThrows(StateFormatException.class, () -> VcpuState.fromBytes(new byte[3]));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        e = assertThrows(StateFormatException.class, () -> VcpuState.fromBytes(java.util.Arrays.copyOf(good, 100)));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    /** A copy of blob with byte {@code at} set to {@code v} and the CRC recomputed. */
    static byte[] reChecksum(byte[] blob, int at, byte v) {
        byte[] b = blob.clone();
        b[at] = v;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        int n = b.length - 4;
        crc.update(b, 0, n);
        int c = (int) crc.getValue();
        b[n] = (byte) (c >>> 24);
        b[n + 1] = (byte) (c >>> 16);
        b[n + 2] = (byte) (c >>> 8);
        b[n + 3] = (byte) c;
        return b;
    }

    interface Parse { Object parse(byte[] b) throws Exception; }

    /** Runs {@code p} on mutated copies of {@code good}; only success or StateFormatException may come out. */
    static int fuzz(byte[] good, long seed, int cases, Parse p, boolean recomputeCrc) {
        Random r = new Random(seed);
        int refused = 0;
        for (int i = 0; i < cases; i++) {
            byte[] b;
            switch (r.nextInt(4)) {
                case 0 -> b = java.util.Arrays.copyOf(good, r.nextInt(good.length)); // truncated
                case 1 -> {                                                         // bytes flipped
                    b = good.clone();
                    for (int k = 1 + r.nextInt(4); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                }
                case 2 -> {                                                         // a count or length smashed
                    b = good.clone();
                    int at = r.nextInt(b.length - 4);
                    int v = r.nextBoolean() ? -1 - r.nextInt(10) : r.nextInt();
                    for (int k = 0; k < 4; k++) b[at + k] = (byte) (v >>> (24 - 8 * k));
                }
                default -> {                                                        // garbage appended or random
                    b = r.nextBoolean() ? java.util.Arrays.copyOf(good, good.length + 1 + r.nextInt(16))
                            : new byte[r.nextInt(64)];
                    if (b.length < good.length) r.nextBytes(b);
                }
            }
            if (recomputeCrc && b.length >= 4) b = reChecksum(b, 0, b[0]);
            try {
                p.parse(b);
            } catch (StateFormatException e) {
                refused++;
                assertNotNull(e.getMessage());
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " (seed " + seed + "): " + t, t);
            }
        }
        return refused;
    }

    @Test
    void fuzzedVcpuBlobsAreRefusedWithTheTypedExceptionOnly() {
        byte[] good = sampleVcpu(9, true).toBytes();
        int refused = fuzz(good, 1234, 2000, VcpuState::fromBytes, false);
        assertTrue(refused > 1900, "the checksum catches corruption: " + refused);
        // With the checksum made valid, the structural checks alone must hold the line.
        fuzz(good, 5678, 2000, VcpuState::fromBytes, true);
    }

    @Test
    void fuzzedVmBlobsAreRefusedWithTheTypedExceptionOnly() {
        byte[] good = sampleVm(true).toBytes();
        int refused = fuzz(good, 4321, 2000, VmState::fromBytes, false);
        assertTrue(refused > 1900, "refused " + refused);
        fuzz(good, 8765, 2000, VmState::fromBytes, true);
    }

    @Test
    void streamReadersRefuseTruncationWithTheTypedException() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            sampleVcpu(4, true).writeTo(new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        byte[] all = bytes.toByteArray();
        for (int len = 0; len < all.length; len += 97) {
            byte[] cut = java.util.Arrays.copyOf(all, len);
            StateFormatException e = assertThrows(StateFormatException.class,
                    () -> VcpuState.readFrom(new DataInputStream(new ByteArrayInputStream(cut))));
            assertTrue(e.getMessage().startsWith("vCPU state"), e.getMessage());
        }
    }
}
