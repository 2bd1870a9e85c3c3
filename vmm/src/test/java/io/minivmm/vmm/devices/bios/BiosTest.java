package io.minivmm.vmm.devices.bios;

import static io.minivmm.vmm.devices.CpuRegisters.Reg.*;
import static io.minivmm.vmm.devices.CpuRegisters.Seg.*;
import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.vmm.devices.CpuRegisters;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.VgaText;
import io.minivmm.vmm.paging.ArrayPhysMemory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every BIOS service without KVM: a caller's registers in fields, guest RAM in an array. */
class BiosTest {
    static final int RAM = 2 << 20;
    /** The caller's stack: int pushed IP, CS, FLAGS at SP = 0x7000. */
    static final int SP = 0x7000, FLAGS_AT = SP + 4;

    ArrayPhysMemory mem;
    ByteArrayOutputStream console;
    Deque<Integer> typed;
    List<String> events;
    long now;
    MemDisk disk0, disk1;
    Bios bios;

    /** A writable disk in memory. */
    static final class MemDisk implements BiosDisk {
        final byte[] data;
        final boolean ro;

        MemDisk(int sectors, boolean ro) {
            data = new byte[sectors * SECTOR];
            for (int i = 0; i < data.length; i++) data[i] = (byte) (i / SECTOR + i);
            this.ro = ro;
        }

        @Override public long sectors() { return data.length / SECTOR; }
        @Override public boolean readOnly() { return ro; }

        @Override
        public void read(long o, byte[] d, int off, int len) throws IOException {
            if (o < 0 || o + len > data.length) throw new IOException("past the end");
            System.arraycopy(data, (int) o, d, off, len);
        }

        @Override
        public void write(long o, byte[] s, int off, int len) throws IOException {
            if (ro || o < 0 || o + len > data.length) throw new IOException("refused");
            System.arraycopy(s, off, data, (int) o, len);
        }
    }

    @BeforeEach
    void setUp() {
        mem = new ArrayPhysMemory(0, RAM);
        console = new ByteArrayOutputStream();
        typed = new ArrayDeque<>();
        events = new ArrayList<>();
        disk0 = new MemDisk(100, false);
        disk1 = new MemDisk(4, true);
        Clock clock = Clock.fixed(Instant.parse("2024-03-09T13:45:07Z"), ZoneOffset.UTC);
        bios = new Bios(mem, List.of(new long[] {0, RAM}), List.of(disk0, disk1), console,
                () -> typed.isEmpty() ? -1 : typed.poll(), clock, () -> now, new MachineControl() {
                    @Override public void guestExit(int status) { events.add("exit " + status); }
                    @Override public void guestReset() { events.add("reset"); }
                });
        bios.setMemoryMap(() -> List.of(new long[] {0, 0x9fc00, 1}, new long[] {0x9fc00, 0x60400, 2}, new long[] {0x100000, RAM - 0x100000, 1}));
        bios.initDataArea();
        bios.keyWaitNanos = 0;
    }

    FakeCpu caller() {
        FakeCpu c = new FakeCpu();
        c.set16(ESP, SP);
        mem.write(FLAGS_AT, new byte[] {0x02, 0x02}, 0, 2); // caller's FLAGS: IF set, CF and ZF clear
        return c;
    }

    int callerFlags() {
        byte[] b = new byte[2];
        mem.read(FLAGS_AT, b, 0, 2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    boolean cf() { return (callerFlags() & CpuRegisters.CF) != 0; }

    boolean zf() { return (callerFlags() & CpuRegisters.ZF) != 0; }

    byte[] read(long at, int n) {
        byte[] b = new byte[n];
        mem.read(at, b, 0, n);
        return b;
    }

    FakeCpu call(int vector, FakeCpu c) {
        bios.service(vector, c);
        return c;
    }

    // ---- the gate ----

    @Test
    void theTrapFindsTheVectorFromTheStubsAddressAndSetsZfForARetry() {
        FakeCpu c = caller().ax(0x0e41);
        c.loadRealSegment(CS, BiosRom.SEGMENT);
        c.set(EIP, BiosRom.STUBS + 0x10 * BiosRom.STUB_SIZE); // KVM's fast path: IP at the out
        c.set(EFLAGS, 2 | CpuRegisters.ZF);
        bios.trap(0, 1, 0x41, c);
        assertEquals("A", console.toString(StandardCharsets.US_ASCII));
        assertEquals(0, c.get(EFLAGS) & CpuRegisters.ZF, "done: the stub irets");
        c = caller().ax(0x0000);
        c.loadRealSegment(CS, BiosRom.SEGMENT);
        c.set(EIP, BiosRom.STUBS + 0x16 * BiosRom.STUB_SIZE + 2); // emulated: IP after the out
        bios.trap(0, 1, 0, c);
        assertNotEquals(0, c.get(EFLAGS) & CpuRegisters.ZF, "no key yet: the stub traps again");
    }

    @Test
    void anOutToTheTrapPortFromElsewhereIsIgnored() {
        FakeCpu c = caller().ax(0x0e41);
        c.set(EIP, 0x7c00);
        bios.trap(0, 1, 0x41, c);
        c.loadRealSegment(CS, BiosRom.SEGMENT);
        c.set(EIP, BiosRom.STUBS + 0x10 * BiosRom.STUB_SIZE + 5);
        bios.trap(0, 1, 0x41, c);
        c.set(EIP, BiosRom.STUBS + 0x05 * BiosRom.STUB_SIZE); // vector 5 has no service stub
        bios.trap(0, 1, 0x41, c);
        assertEquals(0, console.size());
    }

    @Test
    void theIvtPointsServicesAtTheirStubsAndIrqsAtEoiStubs() {
        byte[] ivt = BiosRom.ivt();
        byte[] rom = BiosRom.image();
        int off10 = (ivt[0x40] & 0xff) | (ivt[0x41] & 0xff) << 8;
        assertEquals(BiosRom.STUBS + 0x10 * BiosRom.STUB_SIZE, off10);
        assertEquals(0xf000, (ivt[0x42] & 0xff) | (ivt[0x43] & 0xff) << 8);
        assertArrayEquals(new byte[] {(byte) 0xe6, (byte) BiosRom.TRAP_PORT, 0x74, (byte) 0xfc, (byte) 0xcf},
                Arrays.copyOfRange(rom, off10, off10 + 5));
        assertEquals(BiosRom.EOI_MASTER, (ivt[0x20] & 0xff) | (ivt[0x21] & 0xff) << 8);
        assertEquals(BiosRom.EOI_SLAVE, (ivt[0x70 * 4] & 0xff) | (ivt[0x70 * 4 + 1] & 0xff) << 8);
        assertEquals((byte) 0xcf, rom[(ivt[0] & 0xff) | (ivt[1] & 0xff) << 8], "vector 0: a bare iret");
        // POST ends in "mov $ax, %ax; ljmp cs:ip", patched with the image's entry.
        byte[] p = BiosRom.entryPatch(0x1000, 0x2345, 0xbeef);
        System.arraycopy(p, 0, rom, BiosRom.entryPatchOffset(), p.length);
        int at = BiosRom.entryPatchOffset() - 1;
        assertArrayEquals(new byte[] {(byte) 0xb8, (byte) 0xef, (byte) 0xbe, (byte) 0xea, 0x45, 0x23, 0x00, 0x10},
                Arrays.copyOfRange(rom, at, at + 8));
        assertArrayEquals(new byte[] {(byte) 0xe6, 0x21, (byte) 0xe6, (byte) 0xa1}, Arrays.copyOfRange(rom, at - 4, at),
                "the mask is written just before");
    }

    // ---- int 10h ----

    @Test
    void teletypeWritesTheScreenAndTheConsoleAndScrollsAtTheBottom() {
        call(0x10, caller().ax(0x0003));
        for (char ch : "ab\r\nc".toCharArray()) call(0x10, caller().ax(0x0e00 | ch));
        assertEquals("ab\r\nc", console.toString(StandardCharsets.US_ASCII));
        assertEquals("ab\nc\n", bios.vga().screen());
        FakeCpu c = call(0x10, caller().ax(0x0300));
        assertEquals(0x0101, c.get16(EDX));
        call(0x10, caller().ax(0x0200).dx(0x184f)); // bottom right
        call(0x10, caller().ax(0x0e00 | 'z'));
        String[] lines = bios.vga().screen().split("\n");
        assertEquals("c", lines[0], "scrolled up one line");
        assertEquals(VgaText.ROWS - 1, lines.length);
        assertEquals(0x1800, call(0x10, caller().ax(0x0300)).get16(EDX), "cursor wrapped to the new bottom line");
    }

    @Test
    void writeStringChecksItsBufferAndScrollWindowsMove() {
        mem.write(0x9000, "hey".getBytes(StandardCharsets.US_ASCII), 0, 3);
        call(0x10, caller().ax(0x1301).bx(0x0007).cx(3).dx(0x0105).es(0x900).bp(0));
        assertEquals("\n     hey\n", bios.vga().screen());
        call(0x10, caller().ax(0x0601).bx(0x0700).cx(0x0000).dx(0x184f)); // scroll up 1
        assertEquals("     hey", bios.vga().screen().split("\n")[0]);
        call(0x10, caller().ax(0x0702).bx(0x0700).cx(0x0000).dx(0x184f)); // scroll down 2
        assertEquals("\n\n     hey\n", bios.vga().screen().substring(0, "\n\n     hey\n".length()));
        assertEquals(0x5003, call(0x10, caller().ax(0x0f00)).get16(EAX));
        FakeCpu u = call(0x10, caller().ax(0x7700));
        assertTrue(cf());
        assertEquals(0x01, u.hi(EAX));
    }

    // ---- int 13h ----

    @Test
    void chsReadLoadsSectorsAndReportsTheCount() {
        FakeCpu c = call(0x13, caller().ax(0x0202).cx(0x0002).dx(0x0080).es(0x800).bx(0));
        assertFalse(cf());
        assertEquals(0x0002, c.get16(EAX));
        assertArrayEquals(Arrays.copyOfRange(disk0.data, 512, 1536), read(0x8000, 1024));
        c = call(0x13, caller().ax(0x0101).dx(0x80));
        assertEquals(0, c.hi(EAX), "status of the last operation: ok");
    }

    @Test
    void chsErrorsAreBiosStatusCodes() {
        FakeCpu c = call(0x13, caller().ax(0x0201).cx(0x0001).dx(0x0082).es(0x800));
        assertTrue(cf());
        assertEquals(0x01, c.hi(EAX), "no such drive");
        c = call(0x13, caller().ax(0x0201).cx(0x0000).dx(0x0080).es(0x800));
        assertTrue(cf());
        assertEquals(0x01, c.hi(EAX), "sector 0 does not exist in CHS");
        c = call(0x13, caller().ax(0x0200).cx(0x0001).dx(0x0080).es(0x800));
        assertEquals(0x01, c.hi(EAX), "count 0");
        c = call(0x13, caller().ax(0x0201).cx(0x003f).dx(0x0180).es(0x800)); // head 1 sector 63 = LBA 125 > 100 sectors
        assertTrue(cf());
        assertEquals(0x04, c.hi(EAX), "sector past the disk");
        assertEquals(0, c.lo(EAX), "nothing transferred");
        assertEquals(0x04, call(0x13, caller().ax(0x0100).dx(0x80)).hi(EAX), "01h returns the last status");
        assertTrue(cf());
        c = call(0x13, caller().ax(0x0202).cx(0x0001).dx(0x0080).es(0x800).bx(0xff00));
        assertEquals(0x09, c.hi(EAX), "a buffer that runs past its segment");
        c = call(0x13, caller().ax(0x0301).cx(0x0001).dx(0x0081).es(0x800));
        assertEquals(0x03, c.hi(EAX), "write-protected");
        c = call(0x13, caller().ax(0x0203).cx(0x0003).dx(0x0081).es(0x800));
        assertEquals(0x04, c.hi(EAX), "sectors 2..4 of a 4-sector disk");
    }

    @Test
    void aBufferOutsideGuestRamIsRefusedBeforeAnythingIsTouched() {
        ArrayPhysMemory small = new ArrayPhysMemory(0, 0x90000);
        mem = small;
        Bios b = new Bios(small, List.of(new long[] {0, 0x90000}), List.of(disk0), console, () -> -1, Clock.systemUTC(),
                () -> 0, null);
        FakeCpu c = caller();
        c.ax(0x0201).cx(0x0001).dx(0x0080).es(0x8ff0).bx(0x0100); // 0x90000: the end of RAM
        small.write(FLAGS_AT, new byte[] {2, 2}, 0, 2);
        b.service(0x13, c);
        assertEquals(0x09, c.hi(EAX));
        byte[] dap = new byte[16];
        java.nio.ByteBuffer.wrap(dap).order(java.nio.ByteOrder.LITTLE_ENDIAN).put(0, (byte) 0x18).putShort(2, (short) 1)
                .putShort(4, (short) 0xffff).putShort(6, (short) 0xffff).putLong(8, 0);
        small.write(0x500, dap, 0, 16);
        small.writeU64(0x510, 0x1_0000_0000L); // flat 64-bit buffer above RAM
        c = caller().ax(0x4200).dx(0x80).ds(0).si(0x500);
        b.service(0x13, c);
        assertEquals(0x09, c.hi(EAX));
        c = caller().ax(0x4200).dx(0x80).ds(0x8fff).si(0xfff8); // the packet itself past RAM
        b.service(0x13, c);
        assertEquals(0x01, c.hi(EAX));
        c = caller().ax(0x1301).bx(7).cx(0x100).es(0x8ff0).bp(0x80); // a string that runs past RAM
        b.service(0x10, c);
        assertEquals(0x01, c.hi(EAX));
        assertEquals(1, read(FLAGS_AT, 1)[0] & 1, "CF");
    }

    @Test
    void lbaReadWriteAndTheirLimits() {
        java.nio.ByteBuffer dap = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        dap.put(0, (byte) 0x10).putShort(2, (short) 2).putShort(4, (short) 0).putShort(6, (short) 0x900).putLong(8, 98);
        mem.write(0x600, dap.array(), 0, 16);
        FakeCpu c = call(0x13, caller().ax(0x4200).dx(0x80).si(0x600));
        assertFalse(cf());
        assertArrayEquals(Arrays.copyOfRange(disk0.data, 98 * 512, 100 * 512), read(0x9000, 1024));
        mem.write(0x9000, new byte[] {1, 2, 3}, 0, 3);
        c = call(0x13, caller().ax(0x4300).dx(0x80).si(0x600));
        assertFalse(cf());
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(disk0.data, 98 * 512, 98 * 512 + 3));
        dap.putLong(8, 99);
        mem.write(0x600, dap.array(), 0, 16);
        c = call(0x13, caller().ax(0x4200).dx(0x80).si(0x600));
        assertEquals(0x04, c.hi(EAX), "the second sector is past the disk");
        assertEquals(0, read(0x602, 1)[0], "the packet's count says nothing moved");
        dap.putShort(2, (short) 0xffff).putLong(8, 0x7fff_ffff_ffff_ffffL);
        mem.write(0x600, dap.array(), 0, 16);
        c = call(0x13, caller().ax(0x4200).dx(0x80).si(0x600));
        assertTrue(cf(), "a huge count at a huge LBA");
        dap.putShort(2, (short) 1).putLong(8, 0);
        mem.write(0x600, dap.array(), 0, 16);
        c = call(0x13, caller().ax(0x4300).dx(0x81).si(0x600));
        assertEquals(0x03, c.hi(EAX), "write-protected");
    }

    @Test
    void driveParametersAndEdd() {
        FakeCpu c = call(0x13, caller().ax(0x0800).dx(0x80));
        assertFalse(cf());
        assertEquals(0x003f, c.get16(ECX), "1 cylinder, 63 sectors");
        assertEquals(0x0f02, c.get16(EDX), "16 heads, 2 drives");
        c = call(0x13, caller().ax(0x1500).dx(0x80));
        assertEquals(3, c.hi(EAX));
        assertEquals(100, c.get16(EDX));
        c = call(0x13, caller().ax(0x1500).dx(0x85));
        assertEquals(0, c.hi(EAX), "no such drive: type 0");
        assertFalse(cf());
        c = call(0x13, caller().ax(0x4100).bx(0x55aa).dx(0x80));
        assertEquals(0xaa55, c.get16(EBX));
        assertEquals(0x30, c.hi(EAX));
        mem.write(0x700, new byte[] {0x1e, 0}, 0, 2);
        call(0x13, caller().ax(0x4800).dx(0x81).si(0x700));
        assertFalse(cf());
        assertEquals(4, mem.readU64(0x710), "total sectors");
        assertEquals(0x1e, read(0x700, 1)[0]);
        mem.write(0x700, new byte[] {0x10, 0}, 0, 2);
        c = call(0x13, caller().ax(0x4800).dx(0x81).si(0x700));
        assertTrue(cf(), "a result buffer too small");
        c = call(0x13, caller().ax(0x9900).dx(0x80));
        assertTrue(cf());
        assertEquals(0x01, c.hi(EAX));
        assertArrayEquals(new int[] {1024, 255, 63}, Bios.geometry(64L << 21));
    }

    // ---- int 15h, 11h, 12h ----

    @Test
    void e820WalksTheMapAndRefusesBadRequests() {
        List<long[]> got = new ArrayList<>();
        long ebx = 0;
        do {
            FakeCpu c = caller();
            c.set(EAX, 0xe820);
            c.set(EDX, 0x534d4150L);
            c.set(ECX, 24);
            c.set(EBX, ebx);
            c.es(0).di(0x800);
            call(0x15, c);
            assertFalse(cf());
            assertEquals(0x534d4150L, c.get(EAX));
            assertEquals(24, c.get(ECX));
            got.add(new long[] {mem.readU64(0x800), mem.readU64(0x808), read(0x810, 1)[0]});
            ebx = c.get(EBX);
        } while (ebx != 0 && got.size() < 10);
        assertEquals(3, got.size());
        assertArrayEquals(new long[] {0x100000, RAM - 0x100000, 1}, got.get(2));
        FakeCpu c = caller();
        c.set(EAX, 0xe820);
        c.set(EDX, 0x12345678);
        c.set(ECX, 24);
        call(0x15, c);
        assertTrue(cf());
        assertEquals(0x86, c.hi(EAX));
        c = caller();
        c.set(EAX, 0xe820);
        c.set(EDX, 0x534d4150L);
        c.set(ECX, 24);
        c.set(EBX, 7);
        call(0x15, c);
        assertTrue(cf(), "continuation past the end");
        c = caller();
        c.set(EAX, 0xe820);
        c.set(EDX, 0x534d4150L);
        c.set(ECX, 10);
        call(0x15, c);
        assertTrue(cf(), "buffer too small");
    }

    @Test
    void otherMemorySizesA20AndConfiguration() {
        FakeCpu c = call(0x15, caller().ax(0xe801));
        assertEquals(0x400, c.get16(ECX));
        assertEquals(0, c.get16(EDX));
        assertEquals(0x400, call(0x15, caller().ax(0x8800)).get16(EAX));
        c = call(0x15, caller().ax(0x2402));
        assertEquals(1, c.lo(EAX));
        assertFalse(cf());
        call(0x15, caller().ax(0x2400));
        assertTrue(cf(), "A20 cannot be disabled");
        c = call(0x15, caller().ax(0xc000));
        assertEquals(0xf000, c.selector(ES));
        assertEquals(BiosRom.CONFIG_TABLE, c.get16(EBX));
        c = call(0x15, caller().ax(0x4f00));
        assertTrue(cf());
        assertEquals(0x86, c.hi(EAX));
        mem.write(0x410, new byte[] {0x23, 0x01}, 0, 2);
        assertEquals(0x0123, call(0x11, caller()).get16(EAX));
        mem.write(0x413, new byte[] {0x7f, 0x02}, 0, 2);
        assertEquals(0x027f, call(0x12, caller()).get16(EAX));
        assertEquals(2, read(0x475, 1)[0], "disk count in the BDA");
    }

    // ---- int 16h ----

    @Test
    void keysComeThroughTheBdaRingWithScanCodes() {
        call(0x16, caller().ax(0x0100));
        assertTrue(zf(), "nothing typed");
        typed.add((int) 'a');
        typed.add((int) '\n');
        FakeCpu c = call(0x16, caller().ax(0x0100));
        assertFalse(zf());
        assertEquals(0x1e61, c.get16(EAX));
        c = caller().ax(0x0000);
        assertFalse(bios.service(0x16, c));
        assertEquals(0x1e61, c.get16(EAX));
        c = caller().ax(0x1000);
        assertFalse(bios.service(0x16, c));
        assertEquals(0x1c0d, c.get16(EAX), "LF is Enter");
        assertTrue(bios.service(0x16, caller().ax(0x0000)), "nothing left: the stub retries");
        assertEquals(0, call(0x16, caller().ax(0x0500).cx(0x3920)).lo(EAX));
        assertEquals(0x3920, call(0x16, caller().ax(0x1000)).get16(EAX), "05h stores a key");
        for (int i = 0; i < 40; i++) typed.add((int) 'x');
        call(0x16, caller().ax(0x0100));
        assertEquals(40 - 15, typed.size(), "the ring holds 15 keys; the rest wait");
        assertEquals(1, call(0x16, caller().ax(0x0500).cx(0x1234)).lo(EAX), "full");
        mem.write(0x41a, new byte[] {(byte) 0xff, (byte) 0xff}, 0, 2); // a guest that trashed the head pointer
        call(0x16, caller().ax(0x0100));
        assertEquals(0x1e, read(0x41a, 1)[0], "the ring is reset, not read out of bounds");
    }

    // ---- int 18h, 19h, 1Ah ----

    @Test
    void int18hEndsTheRunAndInt19hRebootsFromTheFirstDisk() {
        call(0x18, caller());
        assertEquals(List.of("exit " + Bios.NO_BOOT_STATUS), events);
        assertTrue(console.toString(StandardCharsets.US_ASCII).contains("no bootable disk"));
        disk0.data[510] = 0x55;
        disk0.data[511] = (byte) 0xaa;
        FakeCpu c = call(0x19, caller());
        assertEquals(0, c.selector(CS));
        assertEquals(0x7c00, c.get(EIP));
        assertEquals(0x80, c.get(EDX));
        assertArrayEquals(Arrays.copyOf(disk0.data, 512), read(0x7c00, 512));
        disk0.data[511] = 0;
        events.clear();
        call(0x19, caller());
        assertEquals(List.of("exit " + Bios.NO_BOOT_STATUS), events, "not bootable: as int 18h");
    }

    @Test
    void timeOfDayInBcdAndTicksFromElapsedTime() {
        FakeCpu c = call(0x1a, caller().ax(0x0200));
        assertEquals(0x1345, c.get16(ECX));
        assertEquals(0x07, c.hi(EDX));
        c = call(0x1a, caller().ax(0x0400));
        assertEquals(0x2024, c.get16(ECX));
        assertEquals(0x0309, c.get16(EDX));
        c = call(0x1a, caller().ax(0x0000));
        long t0 = (long) c.get16(ECX) << 16 | c.get16(EDX);
        assertEquals((long) ((13 * 3600 + 45 * 60 + 7) * 18.2065), t0, 2);
        now += 10_000_000_000L; // 10 s later
        c = call(0x1a, caller().ax(0x0000));
        long t1 = (long) c.get16(ECX) << 16 | c.get16(EDX);
        assertEquals(182, t1 - t0, 1);
        byte[] bda = read(0x46c, 4);
        assertEquals(t1, (bda[0] & 0xff) | (bda[1] & 0xff) << 8 | (bda[2] & 0xff) << 16, "the BDA's tick counter");
        call(0x1a, caller().ax(0x0100).cx(0).dx(5));
        c = call(0x1a, caller().ax(0x0000));
        assertEquals(5, c.get16(EDX));
        c = call(0x1a, caller().ax(0x4200));
        assertTrue(cf());
    }

    /** Random registers and memory for every service: never a host exception. Seeded: failures reproduce. */
    @Test
    void fuzzedCallsNeverThrow() {
        Random rnd = new Random(0xb105);
        for (int i = 0; i < 4000; i++) {
            FakeCpu c = new FakeCpu();
            for (CpuRegisters.Reg r : CpuRegisters.Reg.values()) c.set(r, rnd.nextInt());
            if (rnd.nextBoolean()) c.set(EAX, (c.get(EAX) & 0xffff) | (rnd.nextBoolean() ? 0xe820 : 0));
            for (CpuRegisters.Seg s : CpuRegisters.Seg.values()) c.loadRealSegment(s, rnd.nextInt(0x10000));
            byte[] junk = new byte[64];
            rnd.nextBytes(junk);
            mem.write(rnd.nextInt(RAM - 64), junk, 0, 64);
            if (rnd.nextInt(4) == 0) mem.write(0x41a, junk, 0, 4);
            int vector = BiosRom.SERVICES[rnd.nextInt(BiosRom.SERVICES.length)];
            assertDoesNotThrow(() -> bios.service(vector, c), "case " + i);
        }
    }
}
