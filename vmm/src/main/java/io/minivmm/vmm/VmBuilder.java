package io.minivmm.vmm;

import io.minivmm.vmm.devices.DebugExit;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.arch.x86.GuestAddressSpace;
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
    boolean prefault = false;
    boolean hugepages = false;
    Long loadAddr;
    Long entry;
    CpuMode mode;
    OutputStream serialOut;
    InputStream serialIn;
    Pattern expect;
    Pattern failOn;
    int serialCaptureLimit = 1 << 20;
    final java.util.List<GuestAddressSpace.Area> areas = new java.util.ArrayList<>();
    final java.util.List<io.minivmm.vmm.storage.DiskSpec> disks = new java.util.ArrayList<>();
    io.minivmm.vmm.gdb.GdbServer.Options gdb;

    VmBuilder() {}

    /** The guest image file; its format is detected from its content unless {@link #format} says otherwise. */
    public VmBuilder kernel(Path path) { this.kernel = Objects.requireNonNull(path); this.image = null; return this; }

    /** The guest image from memory (e.g. a test resource). */
    public VmBuilder image(String name, byte[] bytes) {
        this.image = bytes.clone();
        this.imageName = name;
        this.kernel = null;
        return this;
    }

    /** {@code auto}, {@code bzimage}, {@code pvh}, {@code elf}, {@code multiboot}, {@code bootsector}, {@code raw}. */
    public VmBuilder format(String f) { this.format = Objects.requireNonNull(f); return this; }

    public VmBuilder initrd(Path path) { this.initrd = path; return this; }

    /**
     * Attaches a disk image (repeatable): virtio disks become vda, vdb, ... in attach order; IDE
     * disks take the primary master, primary slave, secondary master and secondary slave.
     */
    public VmBuilder disk(io.minivmm.vmm.storage.DiskSpec disk) { this.disks.add(Objects.requireNonNull(disk)); return this; }

    public VmBuilder cmdline(String line) { this.cmdline = line; return this; }

    /** Guest RAM in bytes (a multiple of 4 KiB). */
    public VmBuilder memory(long bytes) { this.memory = bytes; return this; }

    public VmBuilder cpus(int n) { this.cpus = n; return this; }

    /** CPU model: {@code default}, {@code host}, {@code baseline}, with {@code ,+feat}/{@code ,-feat} toggles. */
    public VmBuilder cpu(String model) { this.cpuModel = Objects.requireNonNull(model); return this; }

    /** Wall-clock limit; the run ends with {@link Outcome#TIMEOUT}. */
    public VmBuilder timeout(Duration d) { this.timeout = d; return this; }

    public VmBuilder debugExit(DebugExit.Mode m) { this.debugExit = Objects.requireNonNull(m); return this; }

    /** Populate all guest RAM before boot (default: fault it in lazily). */
    public VmBuilder prefault(boolean p) { this.prefault = p; return this; }

    /** Back guest RAM with transparent huge pages. */
    public VmBuilder hugepages(boolean h) { this.hugepages = h; return this; }

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
    public VmBuilder serialInput(InputStream in) { this.serialIn = in; return this; }

    /** End the run with {@link Outcome#EXPECT_MATCHED} when the serial output matches. */
    public VmBuilder expect(Pattern p) { this.expect = p; return this; }

    /** End the run with {@link Outcome#FAIL_MATCHED} when the serial output matches. */
    public VmBuilder failOn(Pattern p) { this.failOn = p; return this; }

    /** How many of the latest serial bytes {@link RunResult#serial()} keeps (default 1 MiB). */
    public VmBuilder serialCaptureLimit(int bytes) { this.serialCaptureLimit = bytes; return this; }

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

    public Vm build() {
        if (cpus < 1 || cpus > 254) throw new IllegalArgumentException("cpus must be 1..254, got " + cpus);
        if (memory < (1L << 20) || (memory & 0xfff) != 0) {
            throw new IllegalArgumentException("memory must be at least 1 MiB and a multiple of 4 KiB, got " + memory);
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        return new Vm(this);
    }
}
