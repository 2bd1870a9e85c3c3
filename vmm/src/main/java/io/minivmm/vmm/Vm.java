package io.minivmm.vmm;

import io.minivmm.vmm.devices.DebugExit;
import static io.minivmm.kvm.sys.Uapi.*;

import io.minivmm.kvm.Kvm;
import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.VmFd;
import io.minivmm.kvm.x86.CpuidEntry;
import io.minivmm.kvm.x86.Fpu;
import io.minivmm.kvm.x86.MsrEntry;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.vmm.arch.x86.BootCpu;
import io.minivmm.vmm.arch.x86.BootLayout;
import io.minivmm.vmm.arch.x86.GuestAddressSpace;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.arch.x86.CpuidPolicy;
import io.minivmm.vmm.arch.x86.EmulationAssist;
import io.minivmm.vmm.arch.x86.MpTable;
import io.minivmm.vmm.arch.x86.X86;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.MmioBus;
import io.minivmm.vmm.devices.PageFaultPort;
import io.minivmm.vmm.devices.PioDevice;
import io.minivmm.vmm.devices.PioBus;
import io.minivmm.vmm.devices.CmosRtc;
import io.minivmm.vmm.devices.DebugExit;
import io.minivmm.vmm.devices.I8042;
import io.minivmm.vmm.devices.ResetControl;
import io.minivmm.vmm.devices.StreamMatcher;
import io.minivmm.vmm.devices.UnclaimedAccessListener;
import io.minivmm.vmm.devices.Serial16550;
import io.minivmm.vmm.loader.BootPlan;
import io.minivmm.vmm.loader.GuestRam;
import io.minivmm.vmm.loader.ImageFormat;
import io.minivmm.vmm.loader.KernelLoader;
import io.minivmm.vmm.loader.LoadOptions;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.paging.AddressSpaceError;
import io.minivmm.vmm.paging.MappingFlags;
import io.minivmm.vmm.paging.PagingError;
import io.minivmm.vmm.vcpu.ExitLog;
import io.minivmm.vmm.vcpu.VcpuHost;
import io.minivmm.vmm.vcpu.VcpuRunner;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A virtual machine: guest RAM, devices and vCPUs on KVM. {@link #run()} creates everything,
 * boots the guest, waits for the end and releases every fd and mapping before it returns, however
 * the run ended.
 * <pre>{@code
 * RunResult r = Vm.builder().memory(64 << 20).timeout(Duration.ofSeconds(5)).build().run();
 * System.out.println(r.outcome() + " " + r.exitStatus() + ": " + r.serialText());
 * }</pre>
 */
public final class Vm implements AutoCloseable {
    /** The embedded demo guest: 64-bit code linked at 1 MiB. */
    static final String DEMO_RESOURCE = "/guests/demo.bin";
    static final long DEMO_LOAD = 0x100000;

    private final VmBuilder cfg;
    private final AtomicReference<Finish> finish = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile List<VcpuFd> running = List.of();

    private record Finish(Outcome outcome, int status, String message, String crashReport) {}

    Vm(VmBuilder cfg) { this.cfg = cfg; }

    public static VmBuilder builder() { return new VmBuilder(); }

    /** Ends a running {@link #run()} with {@link Outcome#STOPPED}. Any thread; never blocks. */
    public void stop() { finish(Outcome.STOPPED, 0, "stopped by the host", ""); }

    private void finish(Outcome outcome, int status, String message, String report) {
        if (finish.compareAndSet(null, new Finish(outcome, status, message, report))) {
            for (VcpuFd v : running) v.kick();
            done.countDown();
        }
    }

    private boolean stopping() { return finish.get() != null; }

    /**
     * Boots the guest and runs it to its end.
     *
     * @throws io.minivmm.kvm.KvmUnavailableException when KVM cannot be used
     * @throws ImageException when the image is malformed or does not fit
     * @throws IOException when an input file cannot be read
     */
    public RunResult run() throws IOException {
        long start = System.nanoTime();
        Image image = readImage();
        SerialSink sink = new SerialSink(cfg.serialOut, cfg.serialCaptureLimit, start);
        List<Thread> threads = new ArrayList<>();
        List<VcpuRunner> runners = new ArrayList<>();
        Thread flusher = null;
        try (Kvm kvm = Kvm.open();
             VmFd vm = kvm.createVm();
             GuestMemory mem = GuestMemory.create(cfg.memory, cfg.ramBacking())) {
            vm.setTssAddr(BootLayout.KVM_TSS_ADDR);
            vm.setIdentityMapAddr(BootLayout.KVM_IDENTITY_MAP_ADDR);
            vm.createIrqchip();
            vm.createPit2(KVM_PIT_SPEAKER_DUMMY);
            mem.registerSlots(vm);
            BootPlan plan = load(image, mem);

            PioBus pio = new PioBus();
            MmioBus mmio = new MmioBus();
            pio.setUnclaimedListener(logUnclaimed("port"));
            mmio.setUnclaimedListener(logUnclaimed("MMIO"));
            MachineControl control = new MachineControl() {
                @Override
                public void guestExit(int status) {
                    finish(Outcome.GUEST_EXIT, status, "guest exited with status " + status + " (debug-exit port 0xf4)", "");
                }

                @Override
                public void guestReset() { finish(Outcome.RESET, 0, "guest reset the machine", ""); }
            };
            Serial16550 com1 = new Serial16550(level -> vm.irqLine(Serial16550.COM1_IRQ, level), sink);
            pio.register(Serial16550.COM1_BASE, Serial16550.PORT_COUNT, com1, "com1");
            DebugExit.register(pio, DebugExit.PORT, cfg.debugExit, control);
            new I8042(control, level -> vm.irqLine(1, level), level -> vm.irqLine(12, level)).register(pio);
            pio.register(ResetControl.PORT, 1, new ResetControl(control), "reset-control");
            // Port 0x80 is the PC's POST/IO-delay port: Linux and firmware write it constantly.
            // Claimed as a sink so those writes skip the unclaimed-access accounting.
            pio.register(0x80, 1, new PioDevice() {
                @Override
                public int read(int offset, int size) { return 0xffffffff; }

                @Override
                public void write(int offset, int size, int value) { }
            }, "io-delay");
            pio.register(CmosRtc.INDEX_PORT, CmosRtc.PORT_COUNT, new CmosRtc(Clock.systemUTC(), cfg.memory, GuestMemory.LOW_RAM_LIMIT), "cmos-rtc");
            attachMatchers(sink);
            if (!cfg.areas.isEmpty()) {
                pio.register(PageFaultPort.BASE, PageFaultPort.LENGTH, new PageFaultPort((va, access) -> {
                    GuestAddressSpace gs = space;
                    boolean ok = gs != null && gs.handlePageFault(va, access);
                    Log.debug("guest #PF at 0x{} access {}: {}", Long.toHexString(va), access, ok ? "resolved" : "not resolvable");
                    return ok;
                }), "page-fault-port");
            }

            List<CpuidEntry> supported = kvm.supportedCpuid();
            // The boot CPU's tables and EFER follow the model the guest sees (so -nx, -pdpe1gb hold).
            List<CpuidEntry> bootCpuid = CpuidPolicy.forModel(supported, cfg.cpuModel, 0, cfg.cpus);
            List<VcpuFd> vcpus = new ArrayList<>();
            for (int id = 0; id < cfg.cpus; id++) {
                VcpuFd v = vm.createVcpu(id);
                vcpus.add(v);
                v.setCpuid2(id == 0 ? bootCpuid : CpuidPolicy.forModel(supported, cfg.cpuModel, id, cfg.cpus));
                v.enableSyncRegs(kvm);
                setupLapic(v);
            }
            bootCpu(vcpus.get(0), plan, mem, bootCpuid, image.name());
            if (plan.mode() != CpuMode.REAL) {
                CpuidEntry leaf1 = bootCpuid.stream().filter(e -> e.function() == 1).findFirst()
                        .orElse(new CpuidEntry(1, 0, 0, 0, 0, 0, 0));
                MpTable.write(mem, cfg.cpus, leaf1.eax(), leaf1.edx());
            }

            running = List.copyOf(vcpus);
            VcpuHost host = new VcpuHost() {
                @Override
                public boolean stopping() { return Vm.this.stopping(); }

                @Override
                public void fatal(VcpuFd vcpu, VcpuExit exit, ExitLog log) {
                    String report = CrashReport.build(vcpu, exit, log, mem, sink.tail(2048),
                            () -> io.minivmm.vmm.loader.Symbols.fromElf(image.bytes()));
                    Outcome o = exit instanceof VcpuExit.Shutdown ? Outcome.TRIPLE_FAULT : Outcome.INTERNAL_ERROR;
                    finish(o, o.defaultStatus(), "vcpu " + vcpu.id() + ": " + CrashReport.describe(exit), report);
                }

                @Override
                public void systemEvent(VcpuFd vcpu, int type) {
                    if (type == KVM_SYSTEM_EVENT_RESET) finish(Outcome.RESET, 0, "guest reset the machine", "");
                    else finish(Outcome.POWER_OFF, 0, "guest powered off (system event " + type + ")", "");
                }
            };
            for (VcpuFd v : vcpus) {
                VcpuRunner r = new VcpuRunner(v, pio, mmio, host, new EmulationAssist());
                runners.add(r);
                Thread t = new Thread(() -> {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        Log.debug("vcpu {} failed", v.id(), e);
                        finish(Outcome.INTERNAL_ERROR, 70, "vcpu " + v.id() + ": " + e.getMessage(), "");
                    }
                }, "vcpu-" + v.id());
                threads.add(t);
            }
            flusher = startFlusher(sink);
            Thread input = cfg.serialIn != null ? startInput(cfg.serialIn, com1) : null;
            for (Thread t : threads) t.start();

            awaitEnd();
            for (VcpuFd v : vcpus) v.kick();
            for (Thread t : threads) joinKicking(t, vcpus);
            running = List.of();
            if (input != null) input.interrupt();
            sink.flush();

            Finish f = finish.get();
            Map<String, Long> byKind = exitCounts(runners), byPort = portCounts(runners);
            Log.debug("exits by kind {}", byKind);
            Log.debug("exits by port {}", byPort);
            int status = f.outcome() == Outcome.GUEST_EXIT ? f.status() : f.outcome().defaultStatus();
            long end = System.nanoTime();
            long first = sink.firstByteAfterNanos();
            return new RunResult(f.outcome(), status, sink.tail(cfg.serialCaptureLimit), Duration.ofNanos(end - start),
                    first < 0 ? null : Duration.ofNanos(first), byKind, byPort,
                    f.crashReport(), f.message(), mem.residentBytes(), sink.total());
        } finally {
            // However we got here (an exception included): no vCPU thread may outlive the fds.
            if (finish.get() == null) finish(Outcome.INTERNAL_ERROR, 70, "setup failed", "");
            for (VcpuFd v : running) v.kick();
            for (Thread t : threads) joinKicking(t, running);
            if (flusher != null) flusher.interrupt();
            sink.flush();
        }
    }

    /** Logs every access nobody claimed at -v, with how often that address was seen. */
    private static UnclaimedAccessListener logUnclaimed(String space) {
        return (write, addr, size, value, count) -> {
            if (Log.debugEnabled()) {
                Log.debug("unclaimed {} 0x{} {} size {} (seen {}x)", space, Long.toHexString(addr), write ? "write" : "read",
                        size, count);
            }
        };
    }

    private void awaitEnd() {
        try {
            if (cfg.timeout == null) {
                done.await();
            } else if (!done.await(cfg.timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                finish(Outcome.TIMEOUT, 124, "timed out after " + cfg.timeout.toMillis() + " ms", "");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(Outcome.STOPPED, 0, "interrupted", "");
        }
    }

    private static void joinKicking(Thread t, List<VcpuFd> vcpus) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join(50);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (t.isAlive()) for (VcpuFd v : vcpus) v.kick();
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static Thread startFlusher(SerialSink sink) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(SerialSink.FLUSH_INTERVAL_MS);
                    if (sink.pending()) sink.flush();
                }
            } catch (InterruptedException ignored) {
                // end of run
            }
        }, "serial-flush");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread startInput(InputStream in, Serial16550 uart) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    int off = 0;
                    while (off < n) {
                        int k = uart.receive(buf, off, n - off);
                        off += k;
                        if (k == 0) uart.awaitSpace(100, TimeUnit.MILLISECONDS);
                        if (Thread.currentThread().isInterrupted()) return;
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // end of input or of the run
            }
        }, "serial-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** --expect / --fail-on: matched on the serial stream as it is written, across any chunking. */
    private void attachMatchers(SerialSink sink) {
        StreamMatcher expect = cfg.expect == null ? null : new StreamMatcher(cfg.expect);
        StreamMatcher failOn = cfg.failOn == null ? null : new StreamMatcher(cfg.failOn);
        if (expect == null && failOn == null) return;
        sink.setListener(b -> {
            if (failOn != null && failOn.feed(b)) {
                finish(Outcome.FAIL_MATCHED, 1, "--fail-on matched: " + printableMatch(failOn), "");
            } else if (expect != null && expect.feed(b)) {
                finish(Outcome.EXPECT_MATCHED, 0, "--expect matched: " + printableMatch(expect), "");
            }
        });
    }

    private static String printableMatch(StreamMatcher m) {
        String t = m.matchedText();
        return CrashReport.printable(t.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).strip();
    }

    /** LVT mask bit and delivery-mode field (Intel SDM vol. 3, 11.5.1). */
    private static final int LVT_MASKED = 1 << 16, LVT_MODE = 0x700, LVT_EXTINT = 0x700, LVT_NMI = 0x400;

    /** LAPIC LINT0 as ExtINT (the PIC's output) and LINT1 as NMI, both unmasked, as a PC's BIOS leaves them. */
    private static void setupLapic(VcpuFd v) {
        byte[] lapic = v.getLapic();
        java.nio.ByteBuffer regs = java.nio.ByteBuffer.wrap(lapic).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        regs.putInt(0x350, (regs.getInt(0x350) & ~(LVT_MASKED | LVT_MODE)) | LVT_EXTINT);
        regs.putInt(0x360, (regs.getInt(0x360) & ~(LVT_MASKED | LVT_MODE)) | LVT_NMI);
        v.setLapic(lapic);
    }

    // ------------------------------------------------------------------ images

    /** The Linux command line when none is given (CLI contract). */
    public static final String DEFAULT_LINUX_CMDLINE = "console=ttyS0 reboot=k panic=-1";

    /** The image bytes, its name and its format (detected unless forced). */
    private record Image(String name, byte[] bytes, ImageFormat format) {}

    private Image readImage() throws IOException {
        if (cfg.image == null && cfg.kernel == null) {
            try (InputStream in = Vm.class.getResourceAsStream(DEMO_RESOURCE)) {
                if (in == null) throw new IOException("the embedded demo guest " + DEMO_RESOURCE + " is missing from the jar");
                return new Image("demo", in.readAllBytes(), ImageFormat.RAW);
            }
        }
        try {
            byte[] bytes = cfg.image != null ? cfg.image : KernelLoader.readImage(cfg.kernel);
            String name = cfg.image != null ? cfg.imageName : cfg.kernel.toString();
            ImageFormat f = ImageFormat.parse(cfg.format);
            return new Image(name, bytes, f == ImageFormat.AUTO ? ImageFormat.detect(bytes) : f);
        } catch (io.minivmm.vmm.loader.ImageException e) {
            throw new ImageException(e.getMessage());
        }
    }

    private LoadOptions loadOptions(Image img) throws IOException {
        boolean linux = img.format() == ImageFormat.BZIMAGE || img.format() == ImageFormat.PVH;
        String cmdline = cfg.cmdline != null ? cfg.cmdline : linux ? DEFAULT_LINUX_CMDLINE : "";
        LoadOptions o = LoadOptions.cmdline(cmdline);
        if (cfg.initrd != null) o = o.withInitrd(java.nio.file.Files.readAllBytes(cfg.initrd), cfg.initrd.getFileName().toString());
        if (img.name().equals("demo") && cfg.image == null && cfg.kernel == null) o = o.withRaw(DEMO_LOAD, DEMO_LOAD, CpuMode.LONG);
        else if (img.format() == ImageFormat.RAW) o = o.withRaw(cfg.loadAddr == null ? -1 : cfg.loadAddr, cfg.entry, cfg.mode);
        return o;
    }

    private BootPlan load(Image img, GuestMemory mem) throws IOException {
        GuestRam ram = new GuestRam() {
            @Override
            public long size() { return mem.size(); }

            @Override
            public List<long[]> ramRanges() {
                List<long[]> r = new ArrayList<>();
                for (var g : mem.regions()) r.add(new long[] {g.base(), g.end()});
                return r;
            }

            @Override
            public void write(long gpa, byte[] src, int off, int len) { mem.write(gpa, src, off, len); }
        };
        try {
            BootPlan plan = KernelLoader.load(img.format(), img.bytes(), ram, loadOptions(img));
            Log.debug("{}: {} entry 0x{} in {} mode", img.name(), plan.format(), Long.toHexString(plan.entry()), plan.mode());
            return plan;
        } catch (io.minivmm.vmm.loader.ImageException e) {
            throw new ImageException(e.getMessage());
        }
    }

    /** The long-mode guest's address space, kept for the page-fault port (null until built). */
    private volatile GuestAddressSpace space;

    /** Frames for page tables and alloc areas beyond the vCPU area: the top 2 MiB of low RAM, if the plan left it free. */
    private static final long POOL_SIZE = 2 << 20;

    private GuestAddressSpace buildAddressSpace(BootPlan plan, GuestMemory mem, List<CpuidEntry> supported, String name) {
        List<GuestAddressSpace.Area> areas = new ArrayList<>();
        MappingFlags rwx = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.EXECUTE);
        for (BootPlan.LinearMapping m : plan.mappings()) {
            if (m.vaddr() != m.paddr()) areas.add(GuestAddressSpace.Area.linear(m.vaddr(), m.paddr(), m.size(), rwx));
        }
        areas.addAll(cfg.areas);
        List<long[]> ram = new ArrayList<>();
        for (var g : mem.regions()) ram.add(new long[] {g.base(), g.end()});
        long lowEnd = mem.regions().get(0).end();
        long[] pool = {lowEnd - POOL_SIZE, lowEnd};
        boolean poolFree = lowEnd >= 4 * POOL_SIZE && plan.writes().stream()
                .noneMatch(r -> Long.compareUnsigned(r.gpa(), pool[1]) < 0 && Long.compareUnsigned(r.end(), pool[0]) > 0);
        try {
            space = GuestAddressSpace.build(mem, ram, areas, CpuidPolicy.has1GPages(supported), poolFree ? pool : null);
            return space;
        } catch (PagingError | AddressSpaceError e) {
            throw new ImageException(name + ": cannot build the boot page tables: " + e.getMessage());
        }
    }

    private void bootCpu(VcpuFd v, BootPlan plan, GuestMemory mem, List<CpuidEntry> supported, String name) {
        CpuMode mode = plan.mode();
        long cr3 = 0;
        if (mode != CpuMode.REAL) BootCpu.writeTables(mem, mode);
        if (mode == CpuMode.LONG) cr3 = buildAddressSpace(plan, mem, supported, name).cr3();
        BootPlan.BootRegisters br = plan.registers();
        v.setSregs(BootCpu.configure(v.getSregs(), mode, cr3, CpuidPolicy.hasNx(supported), br.cs()));
        Regs regs = Regs.ZERO.with(Regs.Reg.RIP, br.rip()).with(Regs.Reg.RAX, br.rax()).with(Regs.Reg.RBX, br.rbx())
                .with(Regs.Reg.RDX, br.rdx()).with(Regs.Reg.RSI, br.rsi());
        if (mode != CpuMode.REAL) regs = regs.with(Regs.Reg.RSP, BootLayout.BOOT_STACK_TOP);
        v.setRegs(regs);
        v.setFpu(Fpu.reset());
        v.setMsrs(List.of(new MsrEntry(X86.MSR_IA32_MISC_ENABLE, X86.MISC_ENABLE_FAST_STRING)));
    }

    private static Map<String, Long> exitCounts(List<VcpuRunner> runners) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (VcpuRunner r : runners) {
            for (int reason = 0; reason < 64; reason++) {
                long n = r.log().byReason(reason);
                if (n > 0) m.merge(CrashReport.reasonName(reason), n, Long::sum);
            }
        }
        return m;
    }

    private static Map<String, Long> portCounts(List<VcpuRunner> runners) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (VcpuRunner r : runners) {
            for (int port = 0; port < 0x10000; port++) {
                long n = r.log().byPort(port);
                if (n > 0) m.merge("0x" + Integer.toHexString(port), n, Long::sum);
            }
        }
        return m;
    }

    /** Stops a run in progress (same as {@link #stop()}). */
    @Override
    public void close() { if (!stopping()) stop(); }
}
