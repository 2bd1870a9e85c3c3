package io.minivmm.vmm.gdb;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.x86.GuestDebug;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.kvm.x86.VcpuEvents;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.vcpu.VcpuRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A GDB remote stub for a running machine: listens on a TCP port, serves one gdb at a time, and
 * lets it stop, inspect and resume the vCPUs (each vCPU is a gdb thread). See docs/GDB.md.
 *
 * <p>Threads: "gdb-stub" accepts a connection and handles every packet and stop event in order;
 * "gdb-reader" only decodes the socket's bytes into frames. vCPU threads report breakpoint hits
 * through {@link #debugHandler()} and park at the run's pause gate; all KVM calls on a vCPU fd
 * from the stub are made while that vCPU is parked. {@link #close()} ends both threads and closes
 * every socket, whatever state the connection is in.
 */
public final class GdbServer implements AutoCloseable {
    /** What the user asked for: where to listen, whether to hold the vCPUs until gdb continues. */
    public record Options(String host, int port, boolean waitForDebugger, Consumer<InetSocketAddress> onListening) {
        public Options {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("gdb port must be 0..65535, got " + port);
            if (host == null || host.isEmpty()) host = "127.0.0.1";
        }
    }

    /** The largest packet this stub accepts or sends (advertised as PacketSize). */
    public static final int PACKET_SIZE = 0x4000;
    private static final Duration PARK_TIMEOUT = Duration.ofSeconds(10);
    /** Frames read ahead of the stub (a flooding client is slowed down, not buffered). */
    private static final int MAX_PENDING_FRAMES = 64;
    private static final long DR6_BS = 1L << 14;

    private final GdbTarget target;
    private final ServerSocket server;
    private final boolean waitAtStart;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Semaphore frameCredits = new Semaphore(MAX_PENDING_FRAMES);
    private final Thread thread;
    private volatile boolean closed;
    private volatile Socket socket;
    private volatile Thread reader;

    // Debug state. Written by the stub thread while the vCPUs are parked; read by vCPU threads.
    private final Map<Long, SwBreak> swBreaks = new ConcurrentHashMap<>();
    private final long[] hwAddr = new long[4];
    private final boolean[] hwUsed = new boolean[4];
    private volatile List<Watch> watches = List.of();
    private volatile int stepping = -1;
    private volatile boolean running;
    private volatile long generation;
    private long claimedGeneration = -1;
    private final GuestDebug[] applied;

    // Connection state (stub thread only).
    private OutputStream out;
    private boolean noAck;
    private byte[] lastSent;
    private int gThread; // vCPU index for register/memory access (Hg)
    private String lastStop = "S05";
    private long connection;

    private record SwBreak(long va, long pa, byte original) {}

    private record Watch(long va, long pa, int len, long[] last) {}

    private record FrameEvent(long connection, PacketCodec.Frame frame) {}

    private record Disconnected(long connection) {}

    private record StopEvent(long generation, int vcpu, String reason) {}

    private record RunEnded(int status) {}

    private record Close() {}

    private GdbServer(Options o, GdbTarget target) throws IOException {
        this.target = target;
        this.waitAtStart = o.waitForDebugger();
        this.applied = new GuestDebug[target.vcpus().size()];
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(o.host()), o.port()), 1);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        this.server = s;
        this.thread = new Thread(this::serve, "gdb-stub");
        thread.setDaemon(true);
    }

    /**
     * Binds the port and starts serving. With {@code waitForDebugger} the caller must have paused
     * the target's gate before the vCPUs start; gdb's first continue releases them.
     *
     * @throws IOException when the address cannot be bound (in use, not local, unknown host)
     */
    public static GdbServer start(Options o, GdbTarget target) throws IOException {
        GdbServer g = new GdbServer(o, target);
        if (o.onListening() != null) o.onListening().accept(g.address());
        g.thread.start();
        return g;
    }

    /** The bound address (its port is the real one when port 0 was asked for). */
    public InetSocketAddress address() { return (InetSocketAddress) server.getLocalSocketAddress(); }

    /** The run ended (any thread): a waiting gdb gets an exit reply and the connection closes. */
    public void runEnded(int status) { events.add(new RunEnded(status)); }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        events.add(new Close());
        // Let the stub send what is queued first (the exit reply of a run that just ended); a
        // peer that does not read is cut off after a bounded wait.
        join(thread, 2000);
        Socket s = socket;
        if (s != null) closeQuietly(s);
        join(thread, 5000);
        Thread r = reader;
        if (r != null) join(r, 5000);
    }

    private static void join(Thread t, long millis) {
        if (t == Thread.currentThread()) return;
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on the way out
        }
    }

    // ------------------------------------------------------------------ vCPU side

    /** The hook the vCPU run loops call on debug exits and emulation failures. */
    public VcpuRunner.DebugHandler debugHandler() { return handler; }

    private final VcpuRunner.DebugHandler handler = new VcpuRunner.DebugHandler() {
        @Override
        public void debugExit(VcpuFd vcpu, VcpuExit.Debug d) {
            int id = vcpu.id();
            if ((d.dr6() & 0xf) != 0) { // a hardware breakpoint slot fired
                stop(id, "hwbreak:;");
                return;
            }
            if (d.exception() == 3) { // #BP from an int3 with USE_SW_BP (hosts that do not emulate CPL0 code)
                if (isOurs(vcpu, d.pc())) stop(id, "swbreak:;");
                else reinjectBreakpoint(vcpu);
                return;
            }
            if ((d.dr6() & DR6_BS) != 0) {
                if (stepping == id) {
                    Watch w = changedWatch();
                    stop(id, w == null ? "" : "watch:" + Long.toHexString(w.va()) + ";");
                } else if (!watches.isEmpty()) {
                    Watch w = changedWatch();
                    if (w != null) stop(id, "watch:" + Long.toHexString(w.va()) + ";");
                }
                return; // a step with nothing to report: run on (still single-stepping)
            }
            stop(id, "");
        }

        @Override
        public boolean emulationFailure(VcpuFd vcpu, VcpuExit.InternalError e) {
            byte[] insn = e.instructionBytes();
            if (swBreaks.isEmpty() || insn.length < 1 || (insn[0] & 0xff) != 0xcc) return false;
            Regs r = vcpu.getRegs();
            if (!isOurs(vcpu, r.rip())) return false; // the guest's own int3: EmulationAssist injects #BP
            stop(vcpu.id(), "swbreak:;");
            return true;
        }
    };

    private boolean isOurs(VcpuFd vcpu, long rip) {
        if (swBreaks.containsKey(rip)) return true;
        Sregs s = vcpu.getSregs();
        return (s.efer() & (1L << 10)) == 0 && swBreaks.containsKey((s.cs().base() + rip) & 0xffff_ffffL);
    }

    /** A guest's own int3 reported as a debug exit: deliver #BP to the guest as the CPU would have. */
    private static void reinjectBreakpoint(VcpuFd vcpu) {
        Regs r = vcpu.getRegs();
        vcpu.setRegs(r.with(Regs.Reg.RIP, r.rip() + 1));
        VcpuEvents ev = vcpu.getVcpuEvents();
        vcpu.setVcpuEvents(ev.withException(3, false, 0));
    }

    private Watch changedWatch() {
        GuestMemory mem = target.memory();
        for (Watch w : watches) {
            if (mem.isRam(w.pa(), w.len()) && readValue(mem, w.pa(), w.len()) != w.last()[0]) return w;
        }
        return null;
    }

    private static long readValue(GuestMemory mem, long pa, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            byte[] b = new byte[1];
            mem.read(pa + i, b, 0, 1);
            v = (v << 8) | (b[0] & 0xff);
        }
        return v;
    }

    /** On a vCPU thread: the first stop of this resume wins; every vCPU then parks. */
    private void stop(int id, String reason) {
        long gen;
        synchronized (this) {
            gen = generation;
            if (!running || claimedGeneration == gen) return;
            claimedGeneration = gen;
        }
        target.gate().pause();
        for (int i = 0; i < applied.length; i++) if (i != id) target.kick(i);
        events.add(new StopEvent(gen, id, reason));
    }

    // ------------------------------------------------------------------ connection

    private void serve() {
        try {
            while (!closed && !target.ended()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                try {
                    session(s);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    io.minivmm.vmm.Log.debug("gdb connection ended: {}", e.toString());
                    cleanupAfterDebugger();
                } finally {
                    closeQuietly(s);
                    socket = null;
                }
            }
        } finally {
            closeQuietly(server);
        }
    }

    private void session(Socket s) throws IOException, InterruptedException {
        long conn = ++connection;
        s.setTcpNoDelay(true);
        socket = s;
        if (closed) return;
        out = s.getOutputStream();
        noAck = false;
        lastSent = null;
        InputStream in = s.getInputStream();
        Thread r = new Thread(() -> readLoop(in, conn), "gdb-reader");
        r.setDaemon(true);
        reader = r;
        r.start();
        // gdb expects a stopped target when it attaches.
        if (!waitAtStart || connection > 1) target.pauseAll(PARK_TIMEOUT);
        else target.gate().awaitParked(PARK_TIMEOUT);
        running = false;
        gThread = 0;
        lastStop = "T05thread:01;";
        while (true) {
            Object ev = events.take();
            if (ev instanceof Close) {
                return;
            } else if (ev instanceof RunEnded end) {
                if (running) send("W" + hex2(end.status() & 0xff));
                return;
            } else if (ev instanceof Disconnected d) {
                if (d.connection() == conn) {
                    cleanupAfterDebugger();
                    return;
                }
            } else if (ev instanceof StopEvent st) {
                if (running && st.generation() == generation) reportStop(st.vcpu(), "T05", st.reason());
            } else if (ev instanceof FrameEvent fe) {
                frameCredits.release();
                if (fe.connection() != conn) continue;
                if (!frame(fe.frame())) return;
            }
        }
    }

    private void readLoop(InputStream in, long conn) {
        PacketCodec codec = new PacketCodec(PACKET_SIZE);
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    PacketCodec.Frame f = codec.feed(buf[i]);
                    if (f == null) continue;
                    while (!frameCredits.tryAcquire(100, TimeUnit.MILLISECONDS)) if (closed) return;
                    events.add(new FrameEvent(conn, f));
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // the connection or the stub closed
        } finally {
            events.add(new Disconnected(conn));
        }
    }

    /** Handles one frame; false ends the connection. */
    private boolean frame(PacketCodec.Frame f) throws IOException, InterruptedException {
        if (f instanceof PacketCodec.Interrupt) {
            if (running && claimInterrupt()) {
                target.pauseAll(PARK_TIMEOUT);
                reportStop(gThread, "T02", "");
            }
            return true;
        }
        if (f instanceof PacketCodec.Nak) {
            if (lastSent != null && !noAck) write(lastSent);
            return true;
        }
        if (f instanceof PacketCodec.Bad) {
            if (!noAck) write(new byte[] {'-'});
            return true;
        }
        if (!(f instanceof PacketCodec.Packet p)) return true;
        if (!noAck) write(new byte[] {'+'});
        String cmd = p.text();
        if (cmd.equals("D") || cmd.startsWith("D;")) {
            send("OK");
            cleanupAfterDebugger();
            return false;
        }
        if (cmd.equals("k") || cmd.startsWith("vKill")) {
            if (cmd.startsWith("vKill")) send("OK");
            target.kill();
            return false;
        }
        String reply;
        try {
            reply = running ? "" : handle(cmd, p.data());
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            reply = "E22"; // malformed arguments
        } catch (RuntimeException e) {
            io.minivmm.vmm.Log.debug("gdb packet {} failed: {}", cmd.length() > 40 ? cmd.substring(0, 40) : cmd, e.toString());
            reply = "E01";
        }
        if (reply != null) send(reply);
        if (cmd.equals("QStartNoAckMode")) noAck = true;
        return true;
    }

    private synchronized boolean claimInterrupt() {
        if (claimedGeneration == generation) return false;
        claimedGeneration = generation;
        return true;
    }

    private void reportStop(int vcpu, String signal, String reason) throws InterruptedException, IOException {
        target.pauseAll(PARK_TIMEOUT);
        running = false;
        stepping = -1;
        gThread = vcpu;
        lastStop = signal + reason + "thread:" + Integer.toHexString(vcpu + 1) + ";";
        send(lastStop);
    }

    // ------------------------------------------------------------------ packets

    /** The reply to a packet (null: none now, e.g. a resume). Called with every vCPU parked. */
    private String handle(String cmd, byte[] raw) throws IOException, InterruptedException {
        if (cmd.isEmpty()) return "";
        switch (cmd.charAt(0)) {
            case '?': return lastStop;
            case 'g': return hex(readRegisters(gThread));
            case 'G': return writeRegisters(gThread, unhex(cmd.substring(1)));
            case 'p': {
                int n = Integer.parseInt(cmd.substring(1), 16);
                if (n < 0 || n >= Registers.COUNT) return "E00";
                byte[] b = readRegisters(gThread);
                return hex(b, Registers.offset(n), Registers.width(n));
            }
            case 'P': {
                int eq = cmd.indexOf('=');
                int n = Integer.parseInt(cmd.substring(1, eq), 16);
                byte[] v = unhex(cmd.substring(eq + 1));
                if (n < 0 || n >= Registers.COUNT || v.length != Registers.width(n)) return "E00";
                byte[] b = readRegisters(gThread);
                System.arraycopy(v, 0, b, Registers.offset(n), v.length);
                return writeRegisters(gThread, b);
            }
            case 'm': return readMemory(cmd.substring(1));
            case 'M': {
                int colon = cmd.indexOf(':');
                return writeMemory(cmd.substring(1, colon), unhex(cmd.substring(colon + 1)));
            }
            case 'X': {
                int colon = indexOf(raw, ':');
                if (colon < 0) return "E22";
                byte[] data = java.util.Arrays.copyOfRange(raw, colon + 1, raw.length);
                return writeMemory(cmd.substring(1, colon), data);
            }
            case 'H': {
                if (cmd.length() < 2) return "E22";
                int t = parseThread(cmd.substring(2));
                if (t == -2) return "E22";
                if (cmd.charAt(1) == 'g' && t >= 0) gThread = t;
                return "OK";
            }
            case 'T': return parseThread(cmd.substring(1)) >= 0 ? "OK" : "E01";
            case 'c':
            case 'C':
                resume(-1);
                return null;
            case 's':
            case 'S':
                resume(gThread);
                return null;
            case 'Z':
            case 'z': return breakpoint(cmd.charAt(0) == 'Z', cmd.substring(1));
            case 'q': return query(cmd);
            case 'Q': return cmd.equals("QStartNoAckMode") ? "OK" : "";
            case 'v': return vPacket(cmd);
            default: return "";
        }
    }

    private static int indexOf(byte[] b, char c) {
        for (int i = 0; i < b.length; i++) if (b[i] == c) return i;
        return -1;
    }

    /** A gdb thread id to a vCPU index: -1 for "all"/"any", -2 for an invalid one. */
    private int parseThread(String s) {
        if (s.equals("-1") || s.equals("0")) return -1;
        try {
            long t = Long.parseLong(s, 16);
            return t >= 1 && t <= applied.length ? (int) t - 1 : -2;
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    private String query(String cmd) throws IOException {
        if (cmd.startsWith("qSupported")) {
            return "PacketSize=" + Integer.toHexString(PACKET_SIZE)
                    + ";qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+";
        }
        if (cmd.startsWith("qXfer:features:read:")) {
            String[] parts = cmd.substring("qXfer:features:read:".length()).split(":");
            if (parts.length != 2 || !parts[0].equals("target.xml")) return "E00";
            String[] ol = parts[1].split(",");
            int off = Integer.parseInt(ol[0], 16), len = Integer.parseInt(ol[1], 16);
            byte[] xml = Registers.TARGET_XML.getBytes(StandardCharsets.ISO_8859_1);
            if (off < 0 || len < 0 || off > xml.length) return "E00";
            int n = Math.min(Math.min(len, xml.length - off), PACKET_SIZE / 2);
            return (off + n >= xml.length ? "l" : "m") + new String(xml, off, n, StandardCharsets.ISO_8859_1);
        }
        if (cmd.equals("qAttached")) return "1";
        if (cmd.equals("qC")) return "QC" + Integer.toHexString(gThread + 1);
        if (cmd.equals("qfThreadInfo")) {
            StringBuilder sb = new StringBuilder("m");
            for (int i = 0; i < applied.length; i++) sb.append(i == 0 ? "" : ",").append(Integer.toHexString(i + 1));
            return sb.toString();
        }
        if (cmd.equals("qsThreadInfo")) return "l";
        if (cmd.startsWith("qThreadExtraInfo,")) {
            int t = parseThread(cmd.substring("qThreadExtraInfo,".length()));
            if (t < 0) return "E01";
            return hex(("vCPU " + t).getBytes(StandardCharsets.ISO_8859_1));
        }
        if (cmd.startsWith("qRcmd,")) {
            String text = new String(unhex(cmd.substring(6)), StandardCharsets.ISO_8859_1).trim();
            String result = monitor(text);
            byte[] b = result.getBytes(StandardCharsets.UTF_8);
            int chunk = PACKET_SIZE / 2 - 16;
            for (int i = 0; i < b.length; i += chunk) send("O" + hex(b, i, Math.min(chunk, b.length - i)));
            return "OK";
        }
        if (cmd.equals("qSymbol::")) return "OK";
        return "";
    }

    private String vPacket(String cmd) {
        if (cmd.equals("vCont?")) return "vCont;c;C;s;S";
        if (cmd.startsWith("vCont;")) {
            // Each vCPU is a thread. A step action steps that vCPU alone while the others stay
            // parked (gdb's default scheduler-locking "replay" / "step" behaviour); otherwise all run.
            int step = -1;
            for (String action : cmd.substring(6).split(";")) {
                if (action.isEmpty()) continue;
                char a = action.charAt(0);
                if (a != 's' && a != 'S') continue;
                int colon = action.indexOf(':');
                int t = colon < 0 ? gThread : parseThread(action.substring(colon + 1));
                step = t < 0 ? gThread : t;
                break;
            }
            resume(step);
            return null;
        }
        if (cmd.equals("vMustReplyEmpty")) return "";
        return "";
    }

    // ------------------------------------------------------------------ registers and memory

    private byte[] readRegisters(int id) {
        VcpuFd v = target.vcpus().get(id);
        io.minivmm.kvm.x86.Fpu f;
        try {
            f = v.getFpu();
        } catch (RuntimeException e) {
            f = null; // x87/SSE read as zero rather than fail the whole register file
        }
        return Registers.read(v.getRegs(), v.getSregs(), f);
    }

    private String writeRegisters(int id, byte[] b) {
        if (b.length != Registers.SIZE) return "E22";
        VcpuFd v = target.vcpus().get(id);
        v.completePendingExit(); // an IN / MMIO read still to complete would overwrite what gdb writes
        Registers.Written w = Registers.apply(b, v.getRegs(), v.getSregs());
        v.setRegs(w.regs());
        v.setSregs(w.sregs());
        return "OK";
    }

    private VirtualMemory.Paging paging() {
        Sregs s = target.vcpus().get(gThread).getSregs();
        return new VirtualMemory.Paging(s.cr0(), s.cr3(), s.cr4(), s.efer());
    }

    private String readMemory(String args) {
        String[] al = args.split(",");
        long addr = Long.parseUnsignedLong(al[0], 16);
        long want = Long.parseLong(al[1], 16);
        if (want < 0) return "E22";
        int len = (int) Math.min(want, (PACKET_SIZE - 8) / 2);
        VirtualMemory.Paging p = paging();
        // As much as is mapped from addr on (gdb may ask across the end of a mapping).
        int ok = 0;
        while (ok < len) {
            long a = addr + ok;
            int chunk = (int) Math.min(len - ok, 0x1000 - (a & 0xfff));
            if (VirtualMemory.translate(target.memory(), p, a) < 0) break;
            ok += chunk;
        }
        if (ok == 0 && len > 0) return "E14";
        byte[] b = VirtualMemory.read(target.memory(), p, addr, ok);
        if (b == null) return "E14";
        for (SwBreak sb : swBreaks.values()) { // show the guest's bytes, not our int3s
            long off = sb.va() - addr;
            if (off >= 0 && off < b.length) b[(int) off] = sb.original();
        }
        return hex(b);
    }

    private String writeMemory(String args, byte[] data) {
        String[] al = args.split(",");
        long addr = Long.parseUnsignedLong(al[0], 16);
        long len = Long.parseLong(al[1], 16);
        if (len != data.length) return "E22";
        if (len == 0) return "OK";
        VirtualMemory.Paging p = paging();
        if (!VirtualMemory.write(target.memory(), p, addr, data)) return "E14";
        for (Map.Entry<Long, SwBreak> e : swBreaks.entrySet()) { // keep our int3 where gdb wrote over it
            SwBreak sb = e.getValue();
            long off = sb.va() - addr;
            if (off >= 0 && off < data.length) {
                e.setValue(new SwBreak(sb.va(), sb.pa(), data[(int) off]));
                target.memory().write(sb.pa(), new byte[] {(byte) 0xcc});
            }
        }
        return "OK";
    }

    // ------------------------------------------------------------------ breakpoints

    private String breakpoint(boolean insert, String args) {
        String[] a = args.split("[,;]");
        if (a.length < 3) return "E22";
        int type = Integer.parseInt(a[0]);
        long addr = Long.parseUnsignedLong(a[1], 16);
        int kind = Integer.parseInt(a[2], 16);
        GuestMemory mem = target.memory();
        switch (type) {
            case 0 -> {
                if (insert) {
                    if (swBreaks.containsKey(addr)) return "OK";
                    long pa = VirtualMemory.translate(mem, paging(), addr);
                    if (pa < 0) return "E14";
                    byte[] orig = mem.read(pa, 1);
                    mem.write(pa, new byte[] {(byte) 0xcc});
                    swBreaks.put(addr, new SwBreak(addr, pa, orig[0]));
                } else {
                    SwBreak sb = swBreaks.remove(addr);
                    if (sb != null) mem.write(sb.pa(), new byte[] {sb.original()});
                }
                return "OK";
            }
            case 1 -> {
                for (int i = 0; i < 4; i++) {
                    if (insert && !hwUsed[i]) {
                        hwUsed[i] = true;
                        hwAddr[i] = addr;
                        return "OK";
                    }
                    if (!insert && hwUsed[i] && hwAddr[i] == addr) {
                        hwUsed[i] = false;
                        return "OK";
                    }
                }
                return insert ? "E28" : "OK"; // all four debug registers in use
            }
            case 2 -> {
                // Write watchpoints by single-stepping and comparing (see docs/GDB.md: this host's
                // KVM does not raise data breakpoints for emulated guest stores).
                if (kind < 1 || kind > 8) return "E22";
                List<Watch> w = new ArrayList<>(watches);
                if (insert) {
                    long pa = VirtualMemory.translate(mem, paging(), addr);
                    if (pa < 0 || !mem.isRam(pa, kind) || (pa >>> 12) != ((pa + kind - 1) >>> 12)) return "E14";
                    w.add(new Watch(addr, pa, kind, new long[] {readValue(mem, pa, kind)}));
                } else {
                    w.removeIf(x -> x.va() == addr && x.len() == kind);
                }
                watches = List.copyOf(w);
                return "OK";
            }
            default -> {
                return ""; // read/access watchpoints: not supported (docs/GDB.md)
            }
        }
    }

    /** Arms KVM guest debugging on every vCPU for the coming resume (vCPUs parked). */
    private void applyGuestDebug(int step) {
        List<VcpuFd> vcpus = target.vcpus();
        boolean watch = !watches.isEmpty();
        for (int i = 0; i < vcpus.size(); i++) {
            GuestDebug.Builder b = GuestDebug.builder();
            if (!swBreaks.isEmpty()) b.softwareBreakpoints(true);
            for (int s = 0; s < 4; s++) {
                if (hwUsed[s]) b.hardwareBreakpoint(s, hwAddr[s], GuestDebug.Kind.EXECUTE, 1);
            }
            if (step == i) b.singleStep(true).blockIrq(true);
            else if (watch && step < 0) b.singleStep(true);
            GuestDebug g = b.build();
            if (!g.equals(applied[i])) {
                vcpus.get(i).setGuestDebug(g);
                applied[i] = g;
            }
        }
    }

    private void resume(int step) {
        for (Watch w : watches) w.last()[0] = readValue(target.memory(), w.pa(), w.len());
        applyGuestDebug(step);
        synchronized (this) {
            generation++;
            running = true;
        }
        stepping = step;
        if (step >= 0) target.gate().release(step);
        else target.resumeAll();
    }

    /** gdb detached or went away: remove every trace of it and let the guest run on. */
    private void cleanupAfterDebugger() {
        try {
            if (running) target.pauseAll(PARK_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        GuestMemory mem = target.memory();
        for (SwBreak sb : swBreaks.values()) mem.write(sb.pa(), new byte[] {sb.original()});
        swBreaks.clear();
        java.util.Arrays.fill(hwUsed, false);
        watches = List.of();
        stepping = -1;
        if (!target.ended()) {
            try {
                List<VcpuFd> vcpus = target.vcpus();
                for (int i = 0; i < vcpus.size(); i++) {
                    if (applied[i] != null && applied[i].enabled()) vcpus.get(i).setGuestDebug(GuestDebug.DISABLED);
                    applied[i] = null;
                }
            } catch (RuntimeException e) {
                io.minivmm.vmm.Log.debug("gdb: disarming guest debug failed: {}", e.toString());
            }
        }
        target.resumeAll();
    }

    // ------------------------------------------------------------------ monitor commands

    private String monitor(String text) {
        String[] w = text.split("\\s+");
        String c = w[0];
        try {
            switch (c) {
                case "help", "":
                    return """
                            minivmm monitor commands:
                              crash-report            the crash report of the current vCPU as it stands
                              page-walk VA            walk VA through the current vCPU's page tables
                              memory-map              the guest's memory map (e820)
                              exits                   VM exits so far by kind and port
                              phys PA [LEN]           hex dump of guest-physical memory (LEN <= 4096, default 64)
                              phys-write PA HEXBYTES  write guest-physical memory
                            """;
                case "crash-report":
                    return target.crashReport(gThread);
                case "page-walk", "walk": {
                    long va = parseNumber(w[1]);
                    Sregs s = target.vcpus().get(gThread).getSregs();
                    return String.format("page walk of 0x%x (vCPU %d, CR3 0x%x):%n", va, gThread, s.cr3())
                            + target.pageWalk(gThread, va);
                }
                case "memory-map", "e820":
                    return target.memoryMap();
                case "exits":
                    return target.exitCounters();
                case "phys": {
                    long pa = parseNumber(w[1]);
                    int len = w.length > 2 ? (int) Math.min(parseNumber(w[2]), 4096) : 64;
                    if (len <= 0 || !target.memory().isRam(pa, len)) return "not guest RAM\n";
                    byte[] b = target.memory().read(pa, len);
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < b.length; i += 16) {
                        sb.append(String.format("%016x:", pa + i));
                        for (int j = i; j < Math.min(i + 16, b.length); j++) sb.append(String.format(" %02x", b[j] & 0xff));
                        sb.append('\n');
                    }
                    return sb.toString();
                }
                case "phys-write": {
                    long pa = parseNumber(w[1]);
                    byte[] b = unhex(w[2]);
                    if (b.length == 0 || !target.memory().isRam(pa, b.length)) return "not guest RAM\n";
                    target.memory().write(pa, b);
                    return "wrote " + b.length + " bytes at 0x" + Long.toHexString(pa) + "\n";
                }
                default:
                    return "unknown monitor command '" + c + "' (try 'monitor help')\n";
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            return "bad arguments for '" + c + "' (try 'monitor help')\n";
        }
    }

    private static long parseNumber(String s) {
        String t = s.toLowerCase(java.util.Locale.ROOT);
        return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
    }

    // ------------------------------------------------------------------ wire

    private void send(String payload) throws IOException {
        byte[] f = PacketCodec.encode(payload);
        lastSent = f;
        write(f);
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String hex(byte[] b) { return hex(b, 0, b.length); }

    static String hex(byte[] b, int off, int len) {
        char[] c = new char[len * 2];
        for (int i = 0; i < len; i++) {
            c[2 * i] = HEX[(b[off + i] >> 4) & 0xf];
            c[2 * i + 1] = HEX[b[off + i] & 0xf];
        }
        return new String(c);
    }

    private static String hex2(int v) { return "" + HEX[(v >> 4) & 0xf] + HEX[v & 0xf]; }

    static byte[] unhex(String s) {
        if ((s.length() & 1) != 0) throw new IllegalArgumentException("odd hex length");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16), lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) throw new IllegalArgumentException("not hex");
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }
}
