package io.minivmm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusTest {
    /** Records accesses; reads return 0x40 + offset. */
    static final class Recorder implements PioDevice, MmioDevice {
        final List<String> log = new ArrayList<>();

        @Override public int read(int offset, int size) {
            log.add("r" + offset + "/" + size);
            return 0x40 + offset;
        }

        @Override public void write(int offset, int size, int value) {
            log.add("w" + offset + "/" + size + "=" + Integer.toHexString(value));
        }

        @Override public long read(long offset, int size) {
            log.add("R" + offset + "/" + size);
            return 0x1_2345_6789_abcdL + offset;
        }

        @Override public void write(long offset, int size, long value) {
            log.add("W" + offset + "/" + size + "=" + Long.toHexString(value));
        }
    }

    record Seen(boolean write, long address, int size, long value, long count) { }

    @Test
    void pioDispatchesByOffsetAndMasksToSize() {
        PioBus bus = new PioBus();
        Recorder a = new Recorder();
        bus.register(0x3f8, 8, a, "com1");
        assertEquals(0x43, bus.read(0x3fb, 1));
        bus.write(0x3ff, 1, 0x1234);
        assertEquals(List.of("r3/1", "w7/1=34"), a.log);
        assertEquals("com1", bus.deviceAt(0x3f8));
        assertEquals("com1", bus.deviceAt(0x3ff));
        assertNull(bus.deviceAt(0x3f7));
        assertNull(bus.deviceAt(0x400));
    }

    @Test
    void pioRefusesOverlapNamingBoth() {
        PioBus bus = new PioBus();
        bus.register(0x3f8, 8, new Recorder(), "com1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.register(0x3ff, 2, new Recorder(), "other"));
        assertTrue(e.getMessage().contains("com1") && e.getMessage().contains("other"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x3f0, 9, new Recorder(), "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0xffff, 2, new Recorder(), "x"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x10, 0, new Recorder(), "x"));
        // adjacent ranges are fine, and the failed registrations left nothing behind
        bus.register(0x3f0, 8, new Recorder(), "below");
        bus.register(0x400, 1, new Recorder(), "above");
        assertNull(bus.deviceAt(0x401));
        assertEquals(List.of("com1 0x03f8+0x8", "below 0x03f0+0x8", "above 0x0400+0x1"), bus.describe());
    }

    @Test
    void pioRangesSpanningTablePagesRouteEveryPortAndLeaveEarlierRegistrationsIntact() {
        PioBus bus = new PioBus();
        Recorder low = new Recorder(), wide = new Recorder(), top = new Recorder();
        bus.register(0x1f0, 8, low, "low");
        bus.register(0x2f8, 0x210, wide, "wide");      // 0x2f8..0x507: three pages of the table
        bus.register(0xfff0, 0x10, top, "top");        // the last ports of the space
        assertEquals("low", bus.deviceAt(0x1f7));
        assertNull(bus.deviceAt(0x1f8));
        assertNull(bus.deviceAt(0x2f7));
        for (int p : new int[] {0x2f8, 0x2ff, 0x300, 0x3ff, 0x400, 0x500, 0x507}) {
            assertEquals("wide", bus.deviceAt(p), Integer.toHexString(p));
            assertEquals(p - 0x2f8, bus.offsetOf(p));
        }
        assertNull(bus.deviceAt(0x508));
        assertEquals("top", bus.deviceAt(0xffff));
        assertEquals(0x40 + 0x108, bus.read(0x400, 4));
        assertEquals(List.of("r264/4"), wide.log);
        // a later registration inside a page the wide range already uses keeps both
        bus.register(0x508, 1, new Recorder(), "next");
        assertEquals("wide", bus.deviceAt(0x507));
        assertEquals("next", bus.deviceAt(0x508));
        assertEquals(0xff, bus.read(0x509, 1));
    }

    @Test
    void pioUnclaimedReadsAllOnesIgnoresWritesAndCounts() {
        PioBus bus = new PioBus();
        List<Seen> seen = new ArrayList<>();
        bus.setUnclaimedListener((w, addr, size, value, count) -> seen.add(new Seen(w, addr, size, value, count)));
        assertEquals(0xff, bus.read(0x80, 1));
        assertEquals(0xffff, bus.read(0x80, 2));
        assertEquals(0xffffffff, bus.read(0xcfc, 4));
        bus.write(0x80, 1, 0x1ab);
        assertEquals(4, bus.unclaimed().total());
        assertEquals(3, bus.unclaimed().count(0x80));
        assertEquals(1, bus.unclaimed().count(0xcfc));
        assertEquals(List.of(new Seen(false, 0x80, 1, 0xff, 1), new Seen(false, 0x80, 2, 0xffff, 2),
                new Seen(false, 0xcfc, 4, 0xffffffffL, 1), new Seen(true, 0x80, 1, 0xab, 3)), seen);
        assertEquals(List.of(0x80L, 0xcfcL), List.copyOf(bus.unclaimed().snapshot().keySet()));
    }

    @Test
    void unclaimedCountersAreBounded() {
        PioBus bus = new PioBus();
        for (int p = 0; p < 1000; p++) {
            bus.read(p, 1);
        }
        bus.read(5, 1);
        assertEquals(1001, bus.unclaimed().total());
        assertEquals(UnclaimedAccesses.MAX_TRACKED, bus.unclaimed().snapshot().size());
        assertEquals(1000 - UnclaimedAccesses.MAX_TRACKED, bus.unclaimed().untracked());
        assertEquals(2, bus.unclaimed().count(5));
        assertEquals(0, bus.unclaimed().count(999));
    }

    @Test
    void mmioDispatchesByBinarySearch() {
        MmioBus bus = new MmioBus();
        Recorder hi = new Recorder();
        Recorder lo = new Recorder();
        Recorder top = new Recorder();
        bus.register(0xfee0_0000L, 0x1000, hi, "lapic");
        bus.register(0xd000_0000L, 0x1000, lo, "virtio0");
        bus.register(0xffff_ffff_ffff_f000L, 0x1000, top, "top");
        assertEquals(0xcdL + 0x10, bus.read(0xfee0_0010L, 1));
        bus.write(0xd000_0ff8L, 8, 0xdead_beef_0000_0001L);
        assertEquals(0x6789_abd1L, bus.read(0xffff_ffff_ffff_f004L, 4));
        assertEquals(List.of("R16/1"), hi.log);
        assertEquals(List.of("W4088/8=deadbeef00000001"), lo.log);
        assertEquals(List.of("R4/4"), top.log);
        assertEquals(List.of("virtio0 0xd0000000+0x1000", "lapic 0xfee00000+0x1000",
                "top 0xfffffffffffff000+0x1000"), bus.describe());
        assertNull(bus.deviceAt(0xd000_1000L));
        assertNull(bus.deviceAt(0xcfff_ffffL));
        assertNull(bus.deviceAt(0L));
    }

    @Test
    void mmioRefusesOverlapAndWrap() {
        MmioBus bus = new MmioBus();
        bus.register(0x1000, 0x1000, new Recorder(), "a");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bus.register(0x1fff, 1, new Recorder(), "b"));
        assertTrue(e.getMessage().contains("a") && e.getMessage().contains("b at"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x0, 0x1001, new Recorder(), "c"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(-0x10L, 0x11, new Recorder(), "wrap"));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x5000, 0, new Recorder(), "empty"));
        bus.register(0x2000, 0x10, new Recorder(), "adjacent");
        bus.register(-0x10L, 0x10, new Recorder(), "last16");
        assertEquals("last16", bus.deviceAt(-1L));
    }

    @Test
    void mmioUnclaimedReadsAllOnesBySize() {
        MmioBus bus = new MmioBus();
        List<Seen> seen = new ArrayList<>();
        bus.setUnclaimedListener((w, addr, size, value, count) -> seen.add(new Seen(w, addr, size, value, count)));
        assertEquals(0xffL, bus.read(0x1000, 1));
        assertEquals(0xffffL, bus.read(0x1000, 2));
        assertEquals(0xffff_ffffL, bus.read(0x1000, 4));
        assertEquals(-1L, bus.read(0x2000, 8));
        bus.write(0x2000, 2, 0x12345);
        assertEquals(5, bus.unclaimed().total());
        assertEquals(3, bus.unclaimed().count(0x1000));
        assertEquals(new Seen(true, 0x2000, 2, 0x2345, 2), seen.get(4));
    }

    /** KVM splits page-crossing accesses into 3/5/6/7-byte pieces: each is legal, none throws. */
    @Test
    void mmioAcceptsEveryLengthKvmDelivers() {
        MmioBus bus = new MmioBus();
        List<Seen> seen = new ArrayList<>();
        bus.setUnclaimedListener((w, addr, size, value, count) -> seen.add(new Seen(w, addr, size, value, count)));
        for (int len = 1; len <= 8; len++) {
            long all = len == 8 ? -1L : (1L << (8 * len)) - 1;
            assertEquals(all, bus.read(0xfee0_0ffdL, len), "unclaimed read of " + len);
            bus.write(0xfee0_0ffdL, len, -1L);
        }
        // each piece reported on its own: never wider than the access, covering every byte once
        for (Seen s : seen) assertTrue(s.size() == 1 || s.size() == 2 || s.size() == 4 || s.size() == 8, s.toString());
        assertThrows(IllegalArgumentException.class, () -> bus.read(0x1000, 0));
        assertThrows(IllegalArgumentException.class, () -> bus.write(0x1000, 9, 0));
    }

    @Test
    void mmioOddLengthsAreSplitIntoAlignedPiecesRoutedByTheirOwnAddress() {
        MmioBus bus = new MmioBus();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        bus.register(0x1000, 0x1000, a, "a");
        bus.register(0x2000, 0x1000, b, "b");
        // a 7-byte write at 0x1ffd crosses into device b: 0x1ffd/1, 0x1ffe/2, then 0x2000/4 in b (bytes 3..6)
        bus.write(0x1ffd, 7, 0x0011_2233_4455_6677L);
        assertEquals(List.of("W4093/1=77", "W4094/2=5566"), a.log);
        assertEquals(List.of("W0/4=11223344"), b.log);
        a.log.clear();
        b.log.clear();
        // a 3-byte read at 0x1001: bytes from 0x1001/1 (0x..ac) and 0x1002/2 (0x..ad low 16 bits)
        long v = bus.read(0x1001, 3);
        assertEquals(List.of("R1/1", "R2/2"), a.log);
        assertEquals(((0x1_2345_6789_abcdL + 2) & 0xffff) << 8 | ((0x1_2345_6789_abcdL + 1) & 0xff), v);
        // 5 and 6 bytes, aligned: 4 then 1, 4 then 2
        a.log.clear();
        bus.write(0x1008, 5, 0xaa_bbcc_ddeeL);
        bus.write(0x1010, 6, 0xaabb_ccdd_eeffL);
        assertEquals(List.of("W8/4=bbccddee", "W12/1=aa", "W16/4=ccddeeff", "W20/2=aabb"), a.log);
    }
}
