package io.minivmm.vmm.devices.bios;

import static io.minivmm.vmm.devices.CpuRegisters.Reg.*;
import static io.minivmm.vmm.devices.CpuRegisters.Seg.*;

import io.minivmm.vmm.devices.CpuRegisters;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.PioTrap;
import io.minivmm.vmm.devices.ScanCodes;
import io.minivmm.vmm.devices.VgaText;
import io.minivmm.vmm.memory.PhysMemory;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The PC BIOS services, in Java: the ROM's stubs ({@link BiosRom}) trap here with the caller's
 * registers, and each service reads and sets them as Ralf Brown's interrupt list describes.
 * int 10h (text video: output goes to the VGA text buffer and, for teletype and string output,
 * to the serial console), int 11h/12h, int 13h (hard disks 0x80.. over {@link BiosDisk}s),
 * int 15h (E820 and friends), int 16h (keys from a {@link KeySource}), int 18h/19h, int 1Ah.
 *
 * <p>Errors are reported as BIOSes report them: CF set in the caller's FLAGS (on its stack: the
 * stub returns with {@code iret}) and a status in AH. An unknown function gets CF and AH = 01h
 * (86h for int 15h). Every guest-supplied address and count is checked against guest RAM before
 * it is touched; a hostile request gets an error code, never a host exception.
 */
public final class Bios implements PioTrap {
    /** Where int 16h takes characters from: the next byte typed, or -1 when none is waiting. */
    public interface KeySource {
        int poll();
    }

    /** BDA offsets (absolute addresses). */
    static final int EQUIPMENT = 0x410, BASE_MEMORY_KIB = 0x413, SHIFT_FLAGS = 0x417, KBD_HEAD = 0x41a, KBD_TAIL = 0x41c,
            VIDEO_MODE = 0x449, VIDEO_COLUMNS = 0x44a, VIDEO_PAGE_SIZE = 0x44c, VIDEO_PAGE_START = 0x44e, CURSOR_POS = 0x450,
            CURSOR_SHAPE = 0x460, ACTIVE_PAGE = 0x462, TICKS = 0x46c, MIDNIGHT = 0x470, DISK_STATUS = 0x474, DISK_COUNT = 0x475,
            KBD_START = 0x480, KBD_END = 0x482, VIDEO_ROWS_MINUS_1 = 0x484, CHAR_HEIGHT = 0x485;
    /** The keyboard ring inside segment 0x40: 16 words, one always free. */
    static final int KBD_BUF = 0x1e, KBD_BUF_END = 0x3e;
    /** int 13h status codes. */
    public static final int OK = 0x00, BAD_COMMAND = 0x01, WRITE_PROTECTED = 0x03, SECTOR_NOT_FOUND = 0x04,
            DMA_BOUNDARY = 0x09, CONTROLLER_FAILURE = 0x20;
    /** int 15h: function not supported. */
    public static final int UNSUPPORTED = 0x86;
    /** The exit status of a run that ends in int 18h (no bootable disk). */
    public static final int NO_BOOT_STATUS = 65;
    /** Ticks per day at 1193182 / 65536 Hz. */
    static final long TICKS_PER_DAY = 0x1800b0;
    private static final long SMAP = 0x534d4150L;

    private final PhysMemory mem;
    private final List<long[]> ram;
    private final List<BiosDisk> disks;
    private final OutputStream console;
    private final KeySource keys;
    private final Clock clock;
    private final LongSupplier nanos;
    private final MachineControl control;
    private final VgaText vga;
    private final long startNanos;
    private final long startTicks;
    private volatile java.util.function.Supplier<List<long[]>> memoryMapSource = List::of;
    private List<long[]> memoryMap;
    private long tickOffset;
    private long lastTicks;
    /** How long int 16h AH=00h waits in one trap before the stub retries (so a stop is seen). */
    long keyWaitNanos = 20_000_000L;

    /**
     * @param ram     guest RAM as {start, end} pairs: every buffer is checked against it
     * @param disks   drives 0x80, 0x81, ... in order
     * @param console the serial console (teletype output and int 18h's message)
     */
    public Bios(PhysMemory mem, List<long[]> ram, List<BiosDisk> disks, OutputStream console, KeySource keys, Clock clock,
                LongSupplier nanos, MachineControl control) {
        this.mem = mem;
        this.ram = List.copyOf(ram);
        this.disks = List.copyOf(disks);
        this.console = console;
        this.keys = keys;
        this.clock = clock;
        this.nanos = nanos;
        this.control = control;
        this.vga = new VgaText(mem);
        this.startNanos = nanos.getAsLong();
        LocalDateTime now = LocalDateTime.now(clock.withZone(ZoneOffset.UTC));
        this.startTicks = (long) (now.toLocalTime().toNanoOfDay() / 1e9 * 1193182.0 / 65536.0);
    }

    /**
     * Where the E820 map int 15h reports ({base, size, type} entries) comes from: the machine's,
     * complete once every part finished (the EBDA is claimed last), so asked for at the first call.
     */
    public void setMemoryMap(java.util.function.Supplier<List<long[]>> source) {
        this.memoryMapSource = source;
        this.memoryMap = null;
    }

    private List<long[]> memoryMap() {
        if (memoryMap == null) memoryMap = List.copyOf(memoryMapSource.get());
        return memoryMap;
    }

    /** The VGA text screen the BIOS writes. */
    public VgaText vga() { return vga; }

    /** Writes the BIOS's fields of the BDA (the BIOS data area part writes the rest). */
    public void initDataArea() {
        w8(DISK_COUNT, disks.size());
        w16(KBD_HEAD, KBD_BUF);
        w16(KBD_TAIL, KBD_BUF);
        w16(KBD_START, KBD_BUF);
        w16(KBD_END, KBD_BUF_END);
        w8(VIDEO_MODE, 3);
        w16(VIDEO_COLUMNS, VgaText.COLUMNS);
        w8(VIDEO_ROWS_MINUS_1, VgaText.ROWS - 1);
        w16(VIDEO_PAGE_SIZE, VgaText.PAGE_BYTES);
        w16(CURSOR_SHAPE, 0x0607);
        w8(CHAR_HEIGHT, 16);
        updateTicks();
    }

    // ---- the trap ----

    @Override
    public int read(int offset, int size) { return 0xffffffff; }

    @Override
    public void write(int offset, int size, int value) { }

    @Override
    public void trap(int offset, int size, int value, CpuRegisters cpu) {
        int vector = BiosRom.vectorAt(cpu.selector(CS), cpu.get(EIP) & 0xffff);
        if (vector < 0) return; // an out to the port from anywhere else: ignored
        boolean retry = service(vector, cpu);
        long f = cpu.get(EFLAGS);
        cpu.set(EFLAGS, retry ? f | CpuRegisters.ZF : f & ~CpuRegisters.ZF);
    }

    /**
     * Runs the service of {@code vector} for the caller whose registers are {@code cpu}; returns
     * true when the stub must trap again (a wait that is not over).
     */
    public boolean service(int vector, CpuRegisters cpu) {
        updateTicks();
        switch (vector) {
            case 0x10 -> video(cpu);
            case 0x11 -> cpu.set16(EAX, r16(EQUIPMENT));
            case 0x12 -> cpu.set16(EAX, r16(BASE_MEMORY_KIB));
            case 0x13 -> disk(cpu);
            case 0x15 -> system(cpu);
            case 0x16 -> { return keyboard(cpu); }
            case 0x18 -> noBasic();
            case 0x19 -> reboot(cpu);
            case 0x1a -> time(cpu);
            default -> { }
        }
        return false;
    }

    // ---- the caller's FLAGS on its stack ----

    private long stackFlagsAddr(CpuRegisters cpu) {
        return cpu.base(SS) + ((cpu.get16(ESP) + 4) & 0xffff);
    }

    private void setCallerFlag(CpuRegisters cpu, int bit, boolean on) {
        long at = stackFlagsAddr(cpu);
        if (!inRam(at, 2)) return;
        int f = r16(at);
        w16(at, on ? f | bit : f & ~bit);
    }

    private void ok(CpuRegisters cpu) { setCallerFlag(cpu, CpuRegisters.CF, false); }

    private void fail(CpuRegisters cpu, int ah) {
        cpu.setHi(EAX, ah);
        setCallerFlag(cpu, CpuRegisters.CF, true);
    }

    // ---- int 10h ----

    private void video(CpuRegisters cpu) {
        int ah = cpu.hi(EAX), al = cpu.lo(EAX);
        int page = cpu.hi(EBX) & 7;
        switch (ah) {
            case 0x00 -> { // set mode: the text modes are mode 3's screen; others unsupported (unchanged)
                int mode = al & 0x7f;
                if (mode <= 3 || mode == 7) {
                    w8(VIDEO_MODE, 3);
                    w16(VIDEO_COLUMNS, 80);
                    w8(VIDEO_ROWS_MINUS_1, 24);
                    w8(ACTIVE_PAGE, 0);
                    w16(VIDEO_PAGE_START, 0);
                    for (int p = 0; p < VgaText.PAGES; p++) w16(CURSOR_POS + 2 * p, 0);
                    if ((al & 0x80) == 0) {
                        for (int p = 0; p < VgaText.PAGES; p++) {
                            vga.scroll(p, true, 0, VgaText.DEFAULT_ATTR, 0, 0, VgaText.ROWS - 1, VgaText.COLUMNS - 1);
                        }
                    }
                }
            }
            case 0x01 -> w16(CURSOR_SHAPE, cpu.get16(ECX));
            case 0x02 -> w16(CURSOR_POS + 2 * page, cpu.get16(EDX));
            case 0x03 -> {
                int pos = r16(CURSOR_POS + 2 * page);
                cpu.set16(EDX, pos);
                cpu.set16(ECX, r16(CURSOR_SHAPE));
            }
            case 0x05 -> {
                w8(ACTIVE_PAGE, al & 7);
                w16(VIDEO_PAGE_START, (al & 7) * VgaText.PAGE_BYTES);
            }
            case 0x06, 0x07 -> vga.scroll(page(cpu, true), ah == 0x06, al, cpu.hi(EBX), cpu.hi(ECX), cpu.lo(ECX),
                    cpu.hi(EDX), cpu.lo(EDX));
            case 0x08 -> {
                int pos = r16(CURSOR_POS + 2 * page);
                cpu.set16(EAX, vga.get(page, pos >> 8, pos & 0xff));
            }
            case 0x09, 0x0a -> {
                int pos = r16(CURSOR_POS + 2 * page);
                int row = pos >> 8, col = pos & 0xff;
                int n = Math.min(cpu.get16(ECX), VgaText.COLUMNS * VgaText.ROWS);
                for (int i = 0; i < n; i++) {
                    int r = row + (col + i) / VgaText.COLUMNS, c = (col + i) % VgaText.COLUMNS;
                    vga.put(page, r, c, al, ah == 0x09 ? cpu.lo(EBX) : -1);
                }
            }
            case 0x0e -> teletype(r8(ACTIVE_PAGE) & 7, al, -1, true);
            case 0x0f -> {
                cpu.set16(EAX, (r16(VIDEO_COLUMNS) & 0xff) << 8 | r8(VIDEO_MODE));
                cpu.setHi(EBX, r8(ACTIVE_PAGE));
            }
            case 0x12 -> {
                if (cpu.lo(EBX) == 0x10) cpu.set16(EBX, 0x0003); // EGA info: colour, 256 KiB
            }
            case 0x13 -> writeString(cpu, page);
            case 0x1a -> {
                if (al == 0) {
                    cpu.setLo(EAX, 0x1a);
                    cpu.set16(EBX, 0x0008); // VGA with colour display
                }
            }
            default -> fail(cpu, BAD_COMMAND);
        }
    }

    private int page(CpuRegisters cpu, boolean active) { return r8(ACTIVE_PAGE) & 7; }

    /** Teletype output of {@code ch}: BEL, BS, LF, CR interpreted; scrolls at the bottom; mirrored to the console. */
    private void teletype(int page, int ch, int attr, boolean mirror) {
        int pos = r16(CURSOR_POS + 2 * page);
        int row = Math.min(pos >> 8, VgaText.ROWS - 1), col = Math.min(pos & 0xff, VgaText.COLUMNS - 1);
        switch (ch) {
            case 0x07 -> { }
            case 0x08 -> { if (col > 0) col--; }
            case 0x0a -> row++;
            case 0x0d -> col = 0;
            default -> {
                vga.put(page, row, col, ch, attr);
                if (++col >= VgaText.COLUMNS) {
                    col = 0;
                    row++;
                }
            }
        }
        if (row >= VgaText.ROWS) {
            int fill = vga.get(page, VgaText.ROWS - 1, 0) >> 8;
            vga.scroll(page, true, 1, fill == 0 ? VgaText.DEFAULT_ATTR : fill, 0, 0, VgaText.ROWS - 1, VgaText.COLUMNS - 1);
            row = VgaText.ROWS - 1;
        }
        w16(CURSOR_POS + 2 * page, row << 8 | col);
        if (mirror) {
            try {
                console.write(ch);
            } catch (IOException e) {
                // the console is gone (end of run): the screen still has the text
            }
        }
    }

    private void writeString(CpuRegisters cpu, int page) {
        int mode = cpu.lo(EAX);
        int n = cpu.get16(ECX);
        boolean attrs = (mode & 2) != 0;
        long at = cpu.base(ES) + cpu.get16(EBP);
        long len = (long) n * (attrs ? 2 : 1);
        if (!inRam(at, len)) {
            fail(cpu, BAD_COMMAND);
            return;
        }
        byte[] s = new byte[(int) len];
        mem.read(at, s, 0, s.length);
        int saved = r16(CURSOR_POS + 2 * page);
        w16(CURSOR_POS + 2 * page, cpu.get16(EDX));
        for (int i = 0; i < n; i++) {
            int ch = s[attrs ? 2 * i : i] & 0xff;
            int attr = attrs ? s[2 * i + 1] & 0xff : cpu.lo(EBX);
            teletype(page, ch, ch == 7 || ch == 8 || ch == 10 || ch == 13 ? -1 : attr, true);
        }
        if ((mode & 1) == 0) w16(CURSOR_POS + 2 * page, saved);
    }

    // ---- int 13h ----

    /** CHS geometry of a drive: {cylinders, heads, sectors per track}, LBA-assisted translation. */
    static int[] geometry(long sectors) {
        int spt = 63;
        int heads = 16;
        for (int h : new int[] {16, 32, 64, 128, 255}) {
            heads = h;
            if (sectors / ((long) h * spt) <= 1024) break;
        }
        long cyl = Math.max(1, Math.min(1024, sectors / ((long) heads * spt)));
        if ((long) heads * spt * cyl < sectors && cyl < 1024) cyl++; // a partial last cylinder is still addressable
        return new int[] {(int) cyl, heads, spt};
    }

    private BiosDisk drive(int dl) {
        int i = dl - 0x80;
        return i >= 0 && i < disks.size() ? disks.get(i) : null;
    }

    private void diskStatus(CpuRegisters cpu, int status) {
        w8(DISK_STATUS, status);
        if (status == OK) {
            cpu.setHi(EAX, 0);
            ok(cpu);
        } else {
            fail(cpu, status);
        }
    }

    private void disk(CpuRegisters cpu) {
        int ah = cpu.hi(EAX), dl = cpu.lo(EDX);
        BiosDisk d = drive(dl);
        if (ah == 0x01) { // status of the last operation
            int last = r8(DISK_STATUS);
            cpu.setHi(EAX, last);
            setCallerFlag(cpu, CpuRegisters.CF, last != 0);
            return;
        }
        if (ah == 0x15 && d == null) { // get disk type: no such drive is AH = 0, not an error
            cpu.setHi(EAX, 0);
            ok(cpu);
            return;
        }
        if (d == null) {
            diskStatus(cpu, BAD_COMMAND);
            return;
        }
        switch (ah) {
            case 0x00, 0x0c, 0x0d, 0x10, 0x11 -> diskStatus(cpu, OK); // reset, seek, alternate reset, ready, recalibrate
            case 0x02, 0x03, 0x04 -> chs(cpu, d, ah);
            case 0x08 -> {
                int[] g = geometry(d.sectors());
                int maxCyl = g[0] - 1;
                cpu.setHi(ECX, maxCyl & 0xff);
                cpu.setLo(ECX, (g[2] & 0x3f) | ((maxCyl >> 8) & 3) << 6);
                cpu.setHi(EDX, g[1] - 1);
                cpu.setLo(EDX, disks.size());
                cpu.setLo(EAX, 0);
                diskStatus(cpu, OK);
            }
            case 0x15 -> {
                long n = d.sectors();
                cpu.set16(ECX, (int) (n >>> 16));
                cpu.set16(EDX, (int) n);
                cpu.setHi(EAX, 0x03);
                w8(DISK_STATUS, OK);
                ok(cpu);
            }
            case 0x41 -> {
                if (cpu.get16(EBX) != 0x55aa) {
                    diskStatus(cpu, BAD_COMMAND);
                    return;
                }
                cpu.set16(EBX, 0xaa55);
                cpu.set16(ECX, 0x0005); // 42h-44h, 47h, 48h; EDD 48h
                cpu.setHi(EAX, 0x30);
                ok(cpu);
            }
            case 0x42, 0x43, 0x44 -> lba(cpu, d, ah);
            case 0x48 -> parameters(cpu, d);
            default -> diskStatus(cpu, BAD_COMMAND);
        }
    }

    private void chs(CpuRegisters cpu, BiosDisk d, int ah) {
        int count = cpu.lo(EAX);
        int cyl = cpu.hi(ECX) | (cpu.lo(ECX) & 0xc0) << 2;
        int sector = cpu.lo(ECX) & 0x3f;
        int head = cpu.hi(EDX);
        int[] g = geometry(d.sectors());
        cpu.setLo(EAX, 0);
        if (count == 0 || count > 128 || sector == 0 || sector > g[2] || head >= g[1] || cyl >= g[0]) {
            diskStatus(cpu, BAD_COMMAND);
            return;
        }
        long lba = ((long) cyl * g[1] + head) * g[2] + sector - 1;
        int offset = cpu.get16(EBX);
        int status = transfer(d, ah == 0x03, ah == 0x04, lba, count, cpu.base(ES) + offset, offset);
        if (status == OK) cpu.setLo(EAX, count);
        diskStatus(cpu, status);
    }

    private void lba(CpuRegisters cpu, BiosDisk d, int ah) {
        long dap = cpu.base(DS) + cpu.get16(ESI);
        if (!inRam(dap, 16)) {
            diskStatus(cpu, BAD_COMMAND);
            return;
        }
        int size = r8(dap);
        int count = r16(dap + 2);
        int off = r16(dap + 4), seg = r16(dap + 6);
        long lba = mem.readU64(dap + 8);
        long buf = ((long) seg << 4) + off;
        int segOffset = off;
        if (size < 0x10 || count > 127 && !(size >= 0x18 && off == 0xffff && seg == 0xffff)) {
            w16(dap + 2, 0);
            diskStatus(cpu, BAD_COMMAND);
            return;
        }
        if (size >= 0x18 && off == 0xffff && seg == 0xffff) { // the 64-bit flat buffer address
            if (!inRam(dap, 0x18)) {
                diskStatus(cpu, BAD_COMMAND);
                return;
            }
            buf = mem.readU64(dap + 0x10);
            segOffset = -1;
        }
        if (count == 0) {
            diskStatus(cpu, OK);
            return;
        }
        int status = transfer(d, ah == 0x43, ah == 0x44, lba, count, buf, segOffset);
        if (status != OK) w16(dap + 2, 0);
        diskStatus(cpu, status);
    }

    private void parameters(CpuRegisters cpu, BiosDisk d) {
        long at = cpu.base(DS) + cpu.get16(ESI);
        if (!inRam(at, 2)) {
            diskStatus(cpu, BAD_COMMAND);
            return;
        }
        int size = r16(at);
        if (size < 0x1a || !inRam(at, Math.min(size, 0x1e))) {
            diskStatus(cpu, BAD_COMMAND);
            return;
        }
        int[] g = geometry(d.sectors());
        boolean chsValid = d.sectors() <= (long) g[0] * g[1] * g[2];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(0x1e).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) (size >= 0x1e ? 0x1e : 0x1a));
        b.putShort(2, (short) (chsValid ? 0x02 : 0));
        b.putInt(4, g[0]).putInt(8, g[1]).putInt(12, g[2]);
        b.putLong(16, d.sectors());
        b.putShort(24, (short) BiosDisk.SECTOR);
        b.putInt(26, 0xffffffff); // no EDD configuration parameters
        mem.write(at, b.array(), 0, size >= 0x1e ? 0x1e : 0x1a);
        diskStatus(cpu, OK);
    }

    /**
     * Moves {@code count} sectors between sector {@code lba} and guest address {@code buf}. The
     * buffer must be guest RAM and (for a segment:offset buffer, {@code segOffset} >= 0) must not
     * run past its segment's end; the sectors must be on the disk.
     */
    private int transfer(BiosDisk d, boolean write, boolean verify, long lba, int count, long buf, int segOffset) {
        long bytes = (long) count * BiosDisk.SECTOR;
        if (lba < 0 || lba >= d.sectors() || count > d.sectors() - lba) return SECTOR_NOT_FOUND;
        if (verify) return OK;
        if (segOffset >= 0 && segOffset + bytes > 0x10000) return DMA_BOUNDARY;
        if (!inRam(buf, bytes)) return DMA_BOUNDARY;
        if (write && d.readOnly()) return WRITE_PROTECTED;
        byte[] data = new byte[(int) bytes];
        try {
            if (write) {
                mem.read(buf, data, 0, data.length);
                d.write(lba * BiosDisk.SECTOR, data, 0, data.length);
            } else {
                d.read(lba * BiosDisk.SECTOR, data, 0, data.length);
                mem.write(buf, data, 0, data.length);
            }
        } catch (IOException e) {
            return CONTROLLER_FAILURE;
        }
        return OK;
    }

    // ---- int 15h ----

    private void system(CpuRegisters cpu) {
        int ax = cpu.get16(EAX), ah = ax >> 8;
        if (cpu.get(EAX) == 0xe820) {
            e820(cpu);
            return;
        }
        switch (ax) {
            case 0x2400 -> fail(cpu, UNSUPPORTED); // A20 cannot be disabled: minivmm's memory has no A20 gate
            case 0x2401 -> { cpu.setHi(EAX, 0); ok(cpu); }
            case 0x2402 -> { cpu.set16(EAX, 0x0001); ok(cpu); }
            case 0x2403 -> { cpu.setHi(EAX, 0); cpu.set16(EBX, 0); ok(cpu); } // no gate to switch: always enabled
            case 0xe801 -> {
                long below16 = Math.min(ramBetween(0x100000, 0x1000000) / 1024, 0x3c00);
                long above16 = Math.min(ramBetween(0x1000000, 0x1_0000_0000L) / 65536, 0xffff);
                cpu.set16(EAX, (int) below16);
                cpu.set16(ECX, (int) below16);
                cpu.set16(EBX, (int) above16);
                cpu.set16(EDX, (int) above16);
                ok(cpu);
            }
            default -> {
                if (ah == 0x88) {
                    cpu.set16(EAX, (int) Math.min(ramBetween(0x100000, 0x1_0000_0000L) / 1024, 0xfc00));
                    ok(cpu);
                } else if (ah == 0xc0) {
                    cpu.loadRealSegment(ES, BiosRom.SEGMENT);
                    cpu.set16(EBX, BiosRom.CONFIG_TABLE);
                    cpu.setHi(EAX, 0);
                    ok(cpu);
                } else if (ah == 0x86) {
                    long us = (long) cpu.get16(ECX) << 16 | cpu.get16(EDX);
                    try {
                        Thread.sleep(Math.min(us / 1000, 1000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    cpu.setHi(EAX, 0);
                    ok(cpu);
                } else {
                    fail(cpu, UNSUPPORTED);
                }
            }
        }
    }

    private void e820(CpuRegisters cpu) {
        List<long[]> map = memoryMap();
        long index = cpu.get(EBX);
        long size = cpu.get(ECX);
        long buf = cpu.base(ES) + cpu.get16(EDI);
        if (cpu.get(EDX) != SMAP || size < 20 || index >= map.size() || !inRam(buf, size >= 24 ? 24 : 20)) {
            fail(cpu, UNSUPPORTED);
            return;
        }
        long[] e = map.get((int) index);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, e[0]).putLong(8, e[1]).putInt(16, (int) e[2]).putInt(20, 1); // ACPI 3 attributes: enabled
        int n = size >= 24 ? 24 : 20;
        mem.write(buf, b.array(), 0, n);
        cpu.set(EAX, SMAP);
        cpu.set(ECX, n);
        cpu.set(EBX, index + 1 < map.size() ? index + 1 : 0);
        ok(cpu);
    }

    private long ramBetween(long lo, long hi) {
        long total = 0;
        for (long[] e : memoryMap()) {
            if (e[2] != 1) continue;
            long s = Math.max(e[0], lo), t = Math.min(e[0] + e[1], hi);
            if (t > s) total += t - s;
        }
        return total;
    }

    // ---- int 16h ----

    /** Moves typed characters into the BDA's keyboard ring while it has room. */
    private void pumpKeys() {
        while (true) {
            int head = r16(KBD_HEAD), tail = r16(KBD_TAIL);
            if (!ringSane(head) || !ringSane(tail)) {
                w16(KBD_HEAD, KBD_BUF);
                w16(KBD_TAIL, KBD_BUF);
                continue;
            }
            int next = tail + 2 >= KBD_BUF_END ? KBD_BUF : tail + 2;
            if (next == head) return; // full
            int ch = keys.poll();
            if (ch < 0) return;
            int code = ScanCodes.of(ch);
            int word = (code < 0 ? 0 : code & 0xff) << 8 | ScanCodes.biosAscii(ch);
            w16(0x400 + tail, word);
            w16(KBD_TAIL, next);
        }
    }

    private static boolean ringSane(int p) { return p >= KBD_BUF && p < KBD_BUF_END && (p & 1) == 0; }

    private boolean keyboard(CpuRegisters cpu) {
        int ah = cpu.hi(EAX);
        switch (ah) {
            case 0x00, 0x10 -> {
                long deadline = nanos.getAsLong() + keyWaitNanos;
                while (true) {
                    pumpKeys();
                    int head = r16(KBD_HEAD);
                    if (head != r16(KBD_TAIL)) {
                        cpu.set16(EAX, r16(0x400 + head));
                        w16(KBD_HEAD, head + 2 >= KBD_BUF_END ? KBD_BUF : head + 2);
                        return false;
                    }
                    if (nanos.getAsLong() - deadline >= 0) return true; // the stub traps again
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return true;
                    }
                }
            }
            case 0x01, 0x11 -> {
                pumpKeys();
                int head = r16(KBD_HEAD);
                boolean none = head == r16(KBD_TAIL);
                if (!none) cpu.set16(EAX, r16(0x400 + head));
                setCallerFlag(cpu, CpuRegisters.ZF, none);
            }
            case 0x02 -> cpu.setLo(EAX, r8(SHIFT_FLAGS));
            case 0x12 -> cpu.set16(EAX, r8(SHIFT_FLAGS) | r8(SHIFT_FLAGS + 1) << 8);
            case 0x03 -> { }
            case 0x05 -> {
                int tail = r16(KBD_TAIL);
                int next = tail + 2 >= KBD_BUF_END ? KBD_BUF : tail + 2;
                if (!ringSane(tail) || next == r16(KBD_HEAD)) {
                    cpu.setLo(EAX, 1);
                } else {
                    w16(0x400 + tail, cpu.get16(ECX));
                    w16(KBD_TAIL, next);
                    cpu.setLo(EAX, 0);
                }
            }
            default -> fail(cpu, BAD_COMMAND);
        }
        return false;
    }

    // ---- int 18h, 19h ----

    private void noBasic() {
        String msg = "minivmm BIOS: no bootable disk (int 18h: no ROM BASIC)\r\n";
        try {
            console.write(msg.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // ending the run anyway
        }
        control.guestExit(NO_BOOT_STATUS);
    }

    /** int 19h: reads sector 0 of drive 0x80 to 0000:7C00 and jumps there with DL = 0x80; int 18h if it is not bootable. */
    private void reboot(CpuRegisters cpu) {
        BiosDisk d = drive(0x80);
        byte[] sector = new byte[BiosDisk.SECTOR];
        try {
            if (d == null || d.sectors() < 1) throw new IOException("no disk");
            d.read(0, sector, 0, sector.length);
        } catch (IOException e) {
            noBasic();
            return;
        }
        if ((sector[510] & 0xff) != 0x55 || (sector[511] & 0xff) != 0xaa) {
            noBasic();
            return;
        }
        mem.write(0x7c00, sector, 0, sector.length);
        cpu.loadRealSegment(CS, 0);
        cpu.set(EIP, 0x7c00);
        cpu.set(EDX, 0x80);
        cpu.set(EFLAGS, 0x2);
    }

    // ---- int 1Ah ----

    /** The tick count since midnight at 18.2 Hz, from real elapsed time; stored at 0x46C. */
    private void updateTicks() {
        long elapsed = (long) ((nanos.getAsLong() - startNanos) / 1e9 * 1193182.0 / 65536.0);
        long t = Math.floorMod(startTicks + elapsed + tickOffset, TICKS_PER_DAY);
        if (t < lastTicks) w8(MIDNIGHT, 1);
        lastTicks = t;
        if (inRam(TICKS, 4)) {
            mem.write(TICKS, new byte[] {(byte) t, (byte) (t >> 8), (byte) (t >> 16), (byte) (t >> 24)}, 0, 4);
        }
    }

    private void time(CpuRegisters cpu) {
        int ah = cpu.hi(EAX);
        LocalDateTime now = LocalDateTime.now(clock.withZone(ZoneOffset.UTC));
        switch (ah) {
            case 0x00 -> {
                long t = lastTicks;
                cpu.set16(ECX, (int) (t >> 16));
                cpu.set16(EDX, (int) t);
                cpu.setLo(EAX, r8(MIDNIGHT));
                w8(MIDNIGHT, 0);
            }
            case 0x01 -> {
                long want = (long) cpu.get16(ECX) << 16 | cpu.get16(EDX);
                tickOffset += want - lastTicks;
                updateTicks();
            }
            case 0x02 -> {
                cpu.setHi(ECX, bcd(now.getHour()));
                cpu.setLo(ECX, bcd(now.getMinute()));
                cpu.setHi(EDX, bcd(now.getSecond()));
                cpu.setLo(EDX, 0);
                ok(cpu);
            }
            case 0x04 -> {
                cpu.setHi(ECX, bcd(now.getYear() / 100));
                cpu.setLo(ECX, bcd(now.getYear() % 100));
                cpu.setHi(EDX, bcd(now.getMonthValue()));
                cpu.setLo(EDX, bcd(now.getDayOfMonth()));
                ok(cpu);
            }
            case 0x03, 0x05 -> ok(cpu); // setting the RTC: the host's clock is the machine's
            default -> fail(cpu, BAD_COMMAND);
        }
    }

    static int bcd(int v) { return (v / 10) << 4 | v % 10; }

    // ---- guest memory, checked ----

    boolean inRam(long addr, long len) {
        if (addr < 0 || len < 0) return false;
        for (long[] r : ram) if (addr >= r[0] && len <= r[1] - addr) return true;
        return false;
    }

    private int r8(long a) {
        byte[] b = new byte[1];
        mem.read(a, b, 0, 1);
        return b[0] & 0xff;
    }

    private int r16(long a) {
        byte[] b = new byte[2];
        mem.read(a, b, 0, 2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    private void w8(long a, int v) { mem.write(a, new byte[] {(byte) v}, 0, 1); }

    private void w16(long a, int v) { mem.write(a, new byte[] {(byte) v, (byte) (v >> 8)}, 0, 2); }
}
