package io.minivmm.vmm;

import io.minivmm.vmm.devices.DebugExit;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.arch.x86.GuestAddressSpace;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.memory.RamBacking;
import io.minivmm.vmm.paging.MappingFlags;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configures a {@link Vm}. Defaults follow the CLI contract: 256 MiB, one vCPU, the embedded
 * demo guest, debug-exit EXACT, serial output captured (not printed).
 * <pre>{@code
 * RunResult r = Vm.builder()
 *         .kernel(Path.of("guest.elf"))
 *         .memory(64 << 20)
 *         .timeout(Duration.ofSeconds(10))
 *         .build()
 *         .run();
 * assertEquals(0, r.exitStatus());
 * assertTrue(r.serialText().contains("hello"));
 * }</pre>
 */
public final class VmBuilder {
    Path kernel;
    byte[] image;
    String imageName = "demo";
    String format = "auto";
    Path initrd;
    String cmdline;
    long memory = 256L << 20;
    int cpus = 1;
    String cpuModel = "default";
    Duration timeout;
    DebugExit.Mode debugExit = DebugExit.Mode.EXACT;
    boolean acpi = true;
    boolean prefault = false;
    boolean hugepages = false;
    Path memoryFile;
    boolean sharedMemory;
    Long loadAddr;
    Long entry;
    CpuMode mode;
    OutputStream serialOut;
    OutputStream vgaOut;
    InputStream serialIn;
    Pattern expect;
    Pattern failOn;
    int serialCaptureLimit = 1 << 20;
    final java.util.List<GuestAddressSpace.Area> areas = new java.util.ArrayList<>();
    boolean detectPanic = true;
    java.io.OutputStream debugcon;
    final java.util.List<io.minivmm.vmm.storage.DiskSpec> disks = new java.util.ArrayList<>();
    boolean virtioConsole;
    boolean rng;
    /** Snapshots (docs/SNAPSHOT.md): restore instead of booting, or snapshot when the serial output matches. */
    Path restoreFile;
    io.minivmm.vmm.snapshot.Snapshot restoreSnapshot;
    Pattern snapshotOn;
    Path snapshotFile;
    boolean snapshotAndExit;
    /** The machine options the caller set (a restore refuses a snapshot that contradicts one). */
    java.util.Set<String> explicit = new java.util.HashSet<>();
    io.minivmm.vmm.gdb.GdbServer.Options gdb;

    VmBuilder() {}

    /** The guest image file; its format is detected from its content unless {@link #format} says otherwise. */
    public VmBuilder kernel(Path path) { this.kernel = Objects.requireNonNull(path); this.image = null; return this; }

    /** The guest image from memory (e.g. a test resource). */
    public VmBuilder image(String name, byte[] bytes) {
        this.image = Objects.requireNonNull(bytes, "image bytes").clone();
        this.imageName = Objects.requireNonNull(name, "image name");
        this.kernel = null;
        return this;
    }

    /**
     * {@code auto}, {@code bzimage}, {@code pvh}, {@code elf}, {@code multiboot} (version 2 when the
     * image has both headers), {@code multiboot1}, {@code multiboot2}, {@code bootsector}, {@code raw}.
     */
    public VmBuilder format(String f) {
        Objects.requireNonNull(f, "format");
        try {
            io.minivmm.vmm.loader.ImageFormat.parse(f);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be one of auto, bzimage, pvh, elf, multiboot, multiboot1, multiboot2, bootsector, raw, got '" + f + "'");
        }
        this.format = f;
        return this;
    }

    public VmBuilder initrd(Path path) { this.initrd = path; return this; }

    /**
     * Attaches a disk image (repeatable): virtio disks become vda, vdb, ... in attach order; IDE
     * disks take the primary master, primary slave, secondary master and secondary slave; a fifth
     * IDE disk makes {@link #build()} throw {@link IllegalArgumentException}.
     */
    public VmBuilder disk(io.minivmm.vmm.storage.DiskSpec disk) { this.disks.add(Objects.requireNonNull(disk)); return this; }

    /**
     * Puts the console on a virtio-console port (Linux {@code hvc0}) instead of COM1: its output
     * goes where the serial output goes (and is matched by --expect/--fail-on), and the serial
     * input feeds it. COM1 stays in the machine. The default Linux command line then uses hvc0.
     */
    public VmBuilder virtioConsole(boolean on) { this.virtioConsole = on; return this; }

    /** Attaches a virtio-rng device fed from the host's CSPRNG. */
    public VmBuilder rng(boolean on) { this.rng = on; return this; }

    public VmBuilder cmdline(String line) { this.cmdline = line; return this; }

    /** Guest RAM in bytes (a multiple of 4 KiB, at least 1 MiB). */
    public VmBuilder memory(long bytes) {
        checkMemory(bytes);
        this.memory = bytes;
        explicit.add("memory");
        return this;
    }

    public VmBuilder cpus(int n) {
        checkCpus(n);
        this.cpus = n;
        explicit.add("cpus");
        return this;
    }

    /** CPU model: {@code default}, {@code host}, {@code baseline}, with {@code ,+feat}/{@code ,-feat} toggles. */
    public VmBuilder cpu(String model) { this.cpuModel = Objects.requireNonNull(model); explicit.add("cpu"); return this; }

    /** Wall-clock limit; the run ends with {@link Outcome#TIMEOUT}. */
    public VmBuilder timeout(Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) throw new IllegalArgumentException("timeout must be positive, got " + d);
        this.timeout = d;
        return this;
    }

    public VmBuilder debugExit(DebugExit.Mode m) { this.debugExit = Objects.requireNonNull(m); explicit.add("debug-exit"); return this; }

    /** Whether the machine has ACPI tables (RSDP in the EBDA, MADT, FADT, DSDT); default on. The MP table is there either way. */
    public VmBuilder acpi(boolean on) { this.acpi = on; return this; }

    /** Populate all guest RAM before boot (default: fault it in lazily). */
    public VmBuilder prefault(boolean p) { this.prefault = p; return this; }

    /** Back guest RAM with transparent huge pages. */
    public VmBuilder hugepages(boolean h) { this.hugepages = h; return this; }

    /**
     * Back guest RAM with this file, shared: the guest's writes reach it. A missing file is
     * created, a shorter one grown (sparse) to {@link #memory}; null means anonymous RAM.
     */
    public VmBuilder memoryFile(Path file) { this.memoryFile = file; return this; }

    /** Back guest RAM with a memfd (shared memory) instead of anonymous memory. */
    public VmBuilder sharedMemory(boolean shared) { this.sharedMemory = shared; return this; }

    /** How guest RAM is backed, from the options above ({@link #memoryFile} wins over {@link #sharedMemory}). */
    RamBacking ramBacking() {
        GuestMemory.Backing b = prefault ? GuestMemory.Backing.PREFAULT : GuestMemory.Backing.LAZY;
        if (memoryFile != null) return new RamBacking(b, hugepages, RamBacking.Source.FILE_SHARED, memoryFile);
        if (sharedMemory) return new RamBacking(b, hugepages, RamBacking.Source.MEMFD, null);
        return RamBacking.anonymous(b, hugepages);
    }

    /** For format raw: where to load, where to enter, in which mode. */
    public VmBuilder raw(long loadAddress, long entryPoint, CpuMode cpuMode) {
        this.format = "raw";
        this.loadAddr = loadAddress;
        this.entry = entryPoint;
        this.mode = cpuMode;
        return this;
    }

    /** Also copy COM1 output to this stream (the CLI passes stdout). */
    public VmBuilder serialOutput(OutputStream out) { this.serialOut = out; return this; }

    /** Feed COM1's receiver from this stream. */
    /**
     * Mirrors the VGA text screen (page 0 at 0xB8000) to {@code out} while the guest runs: polled
     * every 100 ms,
     * printed as its text lines under a "--- VGA text ---" line whenever it changed, and once more at
     * the end if it changed since. Null (the default): no mirror.
     */
    public VmBuilder vgaOutput(OutputStream out) { this.vgaOut = out; return this; }

    public VmBuilder serialInput(InputStream in) { this.serialIn = in; return this; }

    /**
     * Whether a guest panic ends the run as {@link Outcome#GUEST_PANIC} (default true): Linux's
     * {@code Kernel panic - not syncing} line on the console, or a pvpanic event on port 0x505.
     * With false, the run ends however the panicking guest ends it (e.g. a reset, status 0).
     */
    public VmBuilder detectPanic(boolean on) { this.detectPanic = on; return this; }

    /**
     * Where the guest's writes to the debug-console ports 0xE9 and 0x402 go (null, the default:
     * counted only, {@link RunResult#debugconBytes()}).
     */
    public VmBuilder debugConsole(java.io.OutputStream out) { this.debugcon = out; return this; }

    /** End the run with {@link Outcome#EXPECT_MATCHED} when the serial output matches. */
    public VmBuilder expect(Pattern p) { this.expect = p; return this; }

    /** End the run with {@link Outcome#FAIL_MATCHED} when the serial output matches. */
    public VmBuilder failOn(Pattern p) { this.failOn = p; return this; }

    /** How many of the latest serial bytes {@link RunResult#serial()} keeps (default 1 MiB). */
    public VmBuilder serialCaptureLimit(int bytes) {
        if (bytes < 0) throw new IllegalArgumentException("serialCaptureLimit must be 0 or more bytes, got " + bytes);
        this.serialCaptureLimit = bytes;
        return this;
    }

    /**
     * Long-mode guests: also map {@code [va, va+size)} linearly to guest-physical {@code pa}
     * (e.g. a higher-half alias of RAM) in the tables the guest starts with.
     */
    public VmBuilder mapLinear(long va, long pa, long size, MappingFlags flags) {
        areas.add(GuestAddressSpace.Area.linear(va, pa, size, flags));
        return this;
    }

    /**
     * Long-mode guests: an "alloc" area whose zeroed frames the VMM provides, now
     * ({@code populate}) or on the guest's first touch: its #PF handler reports the fault through
     * the page-fault port ({@link io.minivmm.vmm.devices.PageFaultPort}, 0x5f0) and retries.
     */
    public VmBuilder mapAlloc(long va, long size, MappingFlags flags, boolean populate) {
        areas.add(GuestAddressSpace.Area.alloc(va, size, flags, populate));
        return this;
    }

    /**
     * {@link Vm#run()} continues the machine saved in this snapshot file instead of booting an
     * image; RAM size, vCPUs, CPU model and debug-exit mode come from the snapshot (one set here
     * that differs refuses it: {@link io.minivmm.vmm.snapshot.SnapshotException}, exit 65).
     */
    public VmBuilder restoreFrom(Path snapshot) { this.restoreFile = Objects.requireNonNull(snapshot); return this; }

    /**
     * Take a snapshot into {@code file} the moment the serial output matches {@code trigger};
     * then continue, or end the run ({@link Outcome#STOPPED}, status 0) if {@code exitAfter}.
     */
    public VmBuilder snapshotOn(Pattern trigger, Path file, boolean exitAfter) {
        this.snapshotOn = Objects.requireNonNull(trigger);
        this.snapshotFile = Objects.requireNonNull(file);
        this.snapshotAndExit = exitAfter;
        return this;
    }

    /** Boots the guest and returns the running session (see {@link VmSession}). */
    public VmSession start() throws java.io.IOException {
        build();
        return VmSession.boot(this);
    }

    /**
     * A running session continuing from {@code snapshot} (machine options from the snapshot, the
     * others, e.g. serial output, from this builder).
     */
    public VmSession restore(io.minivmm.vmm.snapshot.Snapshot snapshot) throws java.io.IOException {
        build();
        return VmSession.restore(this, Objects.requireNonNull(snapshot));
    }

    /** Takes the snapshot's machine options; refuses one that contradicts an option set explicitly. */
    void adopt(io.minivmm.vmm.snapshot.MachineConfig c) {
        String why = null;
        if (explicit.contains("memory") && memory != c.memory()) why = "--mem " + memory + " but the snapshot has " + c.memory() + " bytes";
        else if (explicit.contains("cpus") && cpus != c.cpus()) why = "--cpus " + cpus + " but the snapshot has " + c.cpus();
        else if (explicit.contains("cpu") && !cpuModel.equals(c.cpuModel())) why = "--cpu " + cpuModel + " but the snapshot has " + c.cpuModel();
        else if (explicit.contains("debug-exit") && !debugExit.name().equals(c.debugExit())) {
            why = "--debug-exit " + debugExit + " but the snapshot has " + c.debugExit();
        }
        if (why != null) throw new io.minivmm.vmm.snapshot.SnapshotException("cannot restore: " + why);
        if (!areas.isEmpty()) throw new io.minivmm.vmm.snapshot.SnapshotException("cannot restore with extra guest mappings (mapLinear/mapAlloc)");
        memory = c.memory();
        cpus = c.cpus();
        cpuModel = c.cpuModel();
        try {
            debugExit = DebugExit.Mode.valueOf(c.debugExit());
        } catch (IllegalArgumentException e) {
            throw new io.minivmm.vmm.snapshot.SnapshotException("cannot restore: unknown debug-exit mode " + c.debugExit());
        }
    }

    /**
     * Serves the GDB remote protocol on {@code host:port} during the run (docs/GDB.md). Port 0
     * picks a free port; {@code onListening} (may be null) is told the bound address before the
     * guest starts. With {@code waitForDebugger} every vCPU is held before its first instruction
     * until gdb continues. A port that cannot be bound makes {@link Vm#run()} throw
     * {@link IllegalArgumentException}.
     */
    public VmBuilder gdb(String host, int port, boolean waitForDebugger,
            java.util.function.Consumer<java.net.InetSocketAddress> onListening) {
        this.gdb = new io.minivmm.vmm.gdb.GdbServer.Options(host, port, waitForDebugger, onListening);
        return this;
    }

    /** A shallow copy (the lists are shared: nothing changes them after build()). */
    VmBuilder copy() {
        VmBuilder b = new VmBuilder();
        b.kernel = kernel; b.image = image; b.imageName = imageName; b.format = format; b.initrd = initrd; b.cmdline = cmdline;
        b.memory = memory; b.cpus = cpus; b.cpuModel = cpuModel; b.timeout = timeout; b.debugExit = debugExit;
        b.prefault = prefault; b.hugepages = hugepages; b.loadAddr = loadAddr; b.entry = entry; b.mode = mode;
        b.serialOut = serialOut; b.serialIn = serialIn; b.expect = expect; b.failOn = failOn;
        b.serialCaptureLimit = serialCaptureLimit; b.areas.addAll(areas); b.disks.addAll(disks);
        b.restoreFile = restoreFile; b.restoreSnapshot = restoreSnapshot; b.snapshotOn = snapshotOn;
        b.snapshotFile = snapshotFile; b.snapshotAndExit = snapshotAndExit; b.explicit = new java.util.HashSet<>(explicit);
        b.acpi = acpi; b.memoryFile = memoryFile; b.sharedMemory = sharedMemory; b.vgaOut = vgaOut;
        b.detectPanic = detectPanic; b.debugcon = debugcon; b.virtioConsole = virtioConsole; b.rng = rng; b.gdb = gdb;
        return b;
    }

    /**
     * The configured VM (no resources are taken until {@link Vm#run()}).
     *
     * @throws IllegalArgumentException when the configuration cannot work: e.g. guest RAM this
     *     host and KVM cannot provide (the message names the limit)
     */
    public Vm build() {
        checkCpus(cpus);
        checkMemory(memory);
        String limit = io.minivmm.vmm.memory.RamLimits.check(memory);
        if (limit != null) throw new IllegalArgumentException("memory of " + memory + " bytes is too large: " + limit);
        int ide = 0;
        for (io.minivmm.vmm.storage.DiskSpec d : disks) {
            if (d.iface() == io.minivmm.vmm.storage.DiskSpec.Interface.IDE) ide++;
        }
        if (ide > io.minivmm.vmm.pc.IdeChannelPart.MAX_DISKS) {
            throw new IllegalArgumentException("--disk: " + ide + " disks with if=ide, but the IDE channels hold "
                    + io.minivmm.vmm.pc.IdeChannelPart.MAX_DISKS + " (primary master and slave, secondary master and slave)");
        }
        return new Vm(this);
    }

    private static void checkCpus(int n) {
        if (n < 1 || n > 254) throw new IllegalArgumentException("cpus must be 1..254, got " + n);
    }

    private static void checkMemory(long bytes) {
        if (bytes < (1L << 20) || (bytes & 0xfff) != 0) {
            throw new IllegalArgumentException("memory must be at least 1 MiB and a multiple of 4 KiB, got " + bytes);
        }
    }
}
