package io.minivmm.kvm;

import static io.minivmm.kvm.sys.Uapi.*;

import com.sun.jna.Pointer;
import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.sys.NativeBuffer;
import io.minivmm.kvm.sys.NativeStubs;
import io.minivmm.kvm.sys.Structs;
import io.minivmm.kvm.x86.CpuidEntry;
import io.minivmm.kvm.x86.DebugRegs;
import io.minivmm.kvm.x86.GuestDebug;
import io.minivmm.kvm.x86.Translation;
import io.minivmm.kvm.x86.VcpuState;
import io.minivmm.kvm.x86.Xcr;
import io.minivmm.kvm.x86.Xsave;
import io.minivmm.kvm.x86.Fpu;
import io.minivmm.kvm.x86.MsrEntry;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.kvm.x86.VcpuEvents;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A KVM vCPU fd and its mmap'd {@code struct kvm_run}.
 * <pre>{@code
 * VcpuFd vcpu = vm.createVcpu(0);
 * vcpu.setRegs(Regs.ZERO.with(Regs.Reg.RIP, 0x1000));
 * vcpu.bindToCurrentThread();               // so another thread can kick() it
 * while (true) {
 *     if (vcpu.run() instanceof VcpuExit.Hlt) break;
 * }
 * }</pre>
 * Threading: {@link #run()}/{@link #runRaw()} and the exit accessors belong to one thread at a
 * time (the vCPU thread); the register ioctls are synchronized; {@link #kick()} may be called from
 * any thread.
 */
public final class VcpuFd implements AutoCloseable {
    private int fd;
    private final int id;
    private final int runSize;
    private final int xsaveSize;
    private long runAddress;
    private ByteBuffer run;
    private final NativeBuffer scratch = new NativeBuffer(8192);

    private final Object kickLock = new Object();
    private long boundThread; // pthread_t of the thread that may sit in KVM_RUN; 0 when none

    private final VmFd vm;

    VcpuFd(VmFd vm, int fd, int id, int runSize, int xsaveSize) {
        this.vm = vm;
        this.fd = fd;
        this.id = id;
        this.runSize = runSize;
        this.xsaveSize = xsaveSize;
        // NATIVE: fd is this vCPU's fd; runSize came from KVM_GET_VCPU_MMAP_SIZE.
        long addr = LibC.mmap(0, runSize, 3 /* PROT_READ|PROT_WRITE */, 1 /* MAP_SHARED */, fd, 0);
        if (addr == -1L) {
            int e = LibC.errno();
            scratch.close();
            throw new KvmException("mmap(kvm_run)", e);
        }
        this.runAddress = addr;
        this.run = new Pointer(addr).getByteBuffer(0, runSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The vCPU id (its APIC id). */
    public int id() { return id; }

    private int fd() {
        int f = fd;
        if (f < 0) throw new IllegalStateException("VcpuFd " + id + " is closed");
        return f;
    }

    // ------------------------------------------------------------------ running

    /**
     * KVM_RUN, returning the raw exit reason ({@code KVM_EXIT_*}); {@code KVM_EXIT_INTR} (10) when
     * a kick or signal interrupted it. No allocation: read the details with the accessors below.
     */
    public int runRaw() {
        // NATIVE: fd is owned by this VcpuFd and its kvm_run stays mapped until close().
        int r = LibC.ioctl(fd(), KVM_RUN, 0);
        if (r < 0) {
            int e = LibC.errno();
            if (e == Errno.EINTR || e == Errno.EAGAIN) return KVM_EXIT_INTR;
            throw new KvmException("KVM_RUN", e, "vcpu " + id);
        }
        return run.getInt(RUN_EXIT_REASON);
    }

    /** KVM_RUN, decoded into a {@link VcpuExit}. */
    public VcpuExit run() { return decodeExit(runRaw()); }

    /** Decodes the current contents of {@code kvm_run} for exit reason {@code reason}. */
    public VcpuExit decodeExit(int reason) {
        ByteBuffer b = run;
        switch (reason) {
            case KVM_EXIT_IO: {
                int port = ioPort(), size = ioSize(), count = ioCount();
                if (ioDirection() == KVM_EXIT_IO_IN) return new VcpuExit.IoIn(port, size, count);
                byte[] data = new byte[size * count];
                b.get(ioDataOffset(), data);
                return new VcpuExit.IoOut(port, size, count, data);
            }
            case KVM_EXIT_MMIO: {
                int len = mmioLength();
                if (!mmioIsWrite()) return new VcpuExit.MmioRead(mmioAddress(), len);
                byte[] data = new byte[len];
                b.get(RUN_MMIO_DATA, data);
                return new VcpuExit.MmioWrite(mmioAddress(), data);
            }
            case KVM_EXIT_HLT: return new VcpuExit.Hlt();
            case KVM_EXIT_SHUTDOWN: return new VcpuExit.Shutdown();
            case KVM_EXIT_FAIL_ENTRY:
                return new VcpuExit.FailEntry(b.getLong(RUN_FAIL_ENTRY_REASON), b.getInt(RUN_FAIL_ENTRY_CPU));
            case KVM_EXIT_INTERNAL_ERROR: {
                int sub = b.getInt(RUN_INTERNAL_SUBERROR);
                int ndata = Math.min(Math.max(b.getInt(RUN_INTERNAL_NDATA), 0), 16);
                long[] data = new long[ndata];
                for (int i = 0; i < ndata; i++) data[i] = b.getLong(RUN_INTERNAL_DATA + i * 8);
                byte[] insn = new byte[0];
                if (sub == KVM_INTERNAL_ERROR_EMULATION && ndata >= 2
                        && (b.getLong(RUN_EMULATION_FAILURE_FLAGS) & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) != 0) {
                    int n = Math.min(b.get(RUN_EMULATION_FAILURE_INSN_SIZE) & 0xff, 15);
                    insn = new byte[n];
                    b.get(RUN_EMULATION_FAILURE_INSN_BYTES, insn);
                }
                return new VcpuExit.InternalError(sub, data, insn);
            }
            case KVM_EXIT_SYSTEM_EVENT: {
                int ndata = Math.min(Math.max(b.getInt(RUN_SYSTEM_EVENT_NDATA), 0), 16);
                long[] data = new long[ndata];
                for (int i = 0; i < ndata; i++) data[i] = b.getLong(RUN_SYSTEM_EVENT_DATA + i * 8);
                return new VcpuExit.SystemEvent(b.getInt(RUN_SYSTEM_EVENT_TYPE), data);
            }
            case KVM_EXIT_INTR: return new VcpuExit.Interrupted();
            case KVM_EXIT_DEBUG:
                return new VcpuExit.Debug(b.getInt(RUN_DEBUG_EXCEPTION), b.getLong(RUN_DEBUG_PC),
                        b.getLong(RUN_DEBUG_DR6), b.getLong(RUN_DEBUG_DR7));
            case KVM_EXIT_EXCEPTION:
                return new VcpuExit.Exception(b.getInt(RUN_EX_EXCEPTION), b.getInt(RUN_EX_ERROR_CODE));
            default: return new VcpuExit.Unknown(reason, b.getLong(RUN_HW_EXIT_REASON));
        }
    }

    /** KVM_EXIT_IO: {@code KVM_EXIT_IO_IN} (0) or {@code KVM_EXIT_IO_OUT} (1). */
    public int ioDirection() { return run.get(RUN_IO_DIRECTION); }
    public int ioPort() { return Short.toUnsignedInt(run.getShort(RUN_IO_PORT)); }
    /** Bytes per item: 1, 2 or 4. */
    public int ioSize() { return run.get(RUN_IO_SIZE); }
    /** Items (more than one for {@code rep ins/outs}). */
    public int ioCount() { return run.getInt(RUN_IO_COUNT); }

    private int ioDataOffset() {
        long off = run.getLong(RUN_IO_DATA_OFFSET);
        long len = (long) ioSize() * ioCount();
        if (off < 0 || len < 0 || off > runSize - len) {
            throw new KvmException("KVM_RUN", 0, "io data_offset " + off + "+" + len + " outside kvm_run");
        }
        return (int) off;
    }

    /** Item {@code i} of an I/O exit's data, zero-extended. */
    public int ioData(int i) {
        int size = ioSize();
        int o = ioDataOffset() + checkItem(i) * size;
        return switch (size) {
            case 1 -> run.get(o) & 0xff;
            case 2 -> Short.toUnsignedInt(run.getShort(o));
            default -> run.getInt(o);
        };
    }

    /** Sets item {@code i} of an I/O-in exit's data (what the guest's {@code in} will read). */
    public void setIoData(int i, int value) {
        int size = ioSize();
        int o = ioDataOffset() + checkItem(i) * size;
        switch (size) {
            case 1 -> run.put(o, (byte) value);
            case 2 -> run.putShort(o, (short) value);
            default -> run.putInt(o, value);
        }
    }

    private int checkItem(int i) {
        if (i < 0 || i >= ioCount()) throw new IndexOutOfBoundsException("io item " + i + " of " + ioCount());
        return i;
    }

    public long mmioAddress() { return run.getLong(RUN_MMIO_PHYS_ADDR); }
    /** 1 to 8. */
    public int mmioLength() { return Math.min(Math.max(run.getInt(RUN_MMIO_LEN), 0), 8); }
    public boolean mmioIsWrite() { return run.get(RUN_MMIO_IS_WRITE) != 0; }

    /** The data of an MMIO write, little endian, zero-extended from {@link #mmioLength()} bytes. */
    public long mmioData() {
        long v = 0;
        for (int i = mmioLength() - 1; i >= 0; i--) v = (v << 8) | (run.get(RUN_MMIO_DATA + i) & 0xff);
        return v;
    }

    /** Sets what an MMIO read returns. */
    public void setMmioData(long value) {
        for (int i = 0; i < 8; i++) run.put(RUN_MMIO_DATA + i, (byte) (value >>> (8 * i)));
    }

    /**
     * Asks KVM to store the general registers into {@code kvm_run} on every exit
     * (KVM_CAP_SYNC_REGS), so {@link #exitRip()} costs no ioctl. Returns false when unsupported.
     */
    public boolean enableSyncRegs(Kvm kvm) {
        if (!kvm.has(Cap.SYNC_REGS)) return false;
        run.putLong(RUN_KVM_DIRTY_REGS, 0);
        run.putLong(RUN_KVM_VALID_REGS, KVM_SYNC_X86_REGS);
        return true;
    }

    /** RIP at the last exit, when {@link #enableSyncRegs} succeeded (else 0). */
    public long exitRip() {
        return (run.getLong(RUN_KVM_VALID_REGS) & KVM_SYNC_X86_REGS) != 0 ? run.getLong(RUN_S + 128) : 0;
    }

    /** {@code kvm_run.if_flag}: guest interrupts enabled. */
    public boolean ifFlag() { return run.get(RUN_IF_FLAG) != 0; }

    // ------------------------------------------------------------------ kicking

    private static final class Kick {
        static final int SIGNAL;

        static {
            SIGNAL = NativeStubs.minivmm_kick_signal(4);
            int r = NativeStubs.minivmm_install_kick_handler(SIGNAL);
            if (r < 0) throw new KvmException("sigaction(vcpu kick signal)", -r);
        }
    }

    /**
     * Lets {@link #kick()} reach this thread while it is in KVM_RUN: installs the kick handler
     * (once per process) and unblocks it in the calling thread. Call it on the vCPU thread before
     * running, and {@link #unbindThread()} before the thread ends.
     */
    public void bindToCurrentThread() {
        int r = NativeStubs.minivmm_unblock_signal(Kick.SIGNAL);
        if (r < 0) throw new KvmException("pthread_sigmask", -r);
        synchronized (kickLock) {
            boundThread = NativeStubs.minivmm_thread_self();
        }
    }

    /** The bound thread will not call KVM_RUN again: stop signalling it. */
    public void unbindThread() {
        synchronized (kickLock) {
            boundThread = 0;
        }
    }

    /**
     * Makes the vCPU leave KVM_RUN soon: sets {@code immediate_exit} (so an entry about to happen
     * returns at once) and signals the bound thread (so a running guest exits). Any thread.
     * The run loop calls {@link #clearImmediateExit()} once it has seen the interruption.
     */
    public void kick() {
        synchronized (kickLock) {
            if (run == null) return;
            run.put(RUN_IMMEDIATE_EXIT, (byte) 1);
            if (boundThread != 0) {
                // NATIVE: boundThread is a live pthread_t: it is cleared under kickLock before its thread ends.
                NativeStubs.minivmm_kick(boundThread, Kick.SIGNAL);
            }
        }
    }

    public void clearImmediateExit() { run.put(RUN_IMMEDIATE_EXIT, (byte) 0); }

    // ------------------------------------------------------------------ state

    private ByteBuffer arg(int len) {
        fd();
        return scratch.cleared(len);
    }

    private void ioctl(String name, long req) {
        // NATIVE: scratch is large enough for the struct the request's size field names.
        if (LibC.ioctl(fd(), req, scratch.address()) < 0) throw new KvmException(name, LibC.errno(), "vcpu " + id);
    }

    /** A KVM_GET_* of a fixed-size struct, decoded from the scratch buffer. */
    private synchronized <T> T get(String name, long req, int size, Function<ByteBuffer, T> decode) {
        return decode.apply(fetched(name, req, size));
    }

    /** A KVM_GET_* of a fixed-size struct: the scratch buffer it filled (decode it holding this). */
    private ByteBuffer fetched(String name, long req, int size) {
        arg(size);
        ioctl(name, req);
        return scratch.buffer();
    }

    /** A KVM_SET_* of a fixed-size struct, encoded into the scratch buffer. */
    private synchronized <T> void set(String name, long req, int size, T value, BiConsumer<T, ByteBuffer> encode) {
        encode.accept(value, arg(size));
        ioctl(name, req);
    }

    // The registers every boot sets are written out rather than passed to get/set as method
    // references: each method reference is a lambda call site to link at its first use, ~0.1 ms
    // apiece on the CLI's start path (docs/STARTUP.md).
    public synchronized Regs getRegs() {
        return Structs.decodeRegs(fetched("KVM_GET_REGS", KVM_GET_REGS, SIZEOF_KVM_REGS));
    }

    public synchronized void setRegs(Regs regs) {
        Structs.encodeRegs(regs, arg(SIZEOF_KVM_REGS));
        ioctl("KVM_SET_REGS", KVM_SET_REGS);
    }

    public synchronized Sregs getSregs() {
        return Structs.decodeSregs(fetched("KVM_GET_SREGS", KVM_GET_SREGS, SIZEOF_KVM_SREGS));
    }

    public synchronized void setSregs(Sregs sregs) {
        Structs.encodeSregs(sregs, arg(SIZEOF_KVM_SREGS));
        ioctl("KVM_SET_SREGS", KVM_SET_SREGS);
    }

    public synchronized Fpu getFpu() {
        return Structs.decodeFpu(fetched("KVM_GET_FPU", KVM_GET_FPU, SIZEOF_KVM_FPU));
    }

    public synchronized void setFpu(Fpu fpu) {
        Structs.encodeFpu(fpu, arg(SIZEOF_KVM_FPU));
        ioctl("KVM_SET_FPU", KVM_SET_FPU);
    }

    /** The most kvm_msr_entry records one call carries: KVM refuses 256 or more (MAX_IO_MSRS, E2BIG). */
    private static final int MSRS_PER_CALL = 255;

    /**
     * KVM_GET_MSRS for the given indices, in order. KVM stops at the first MSR it cannot read;
     * that MSR is left out of the result and the rest are asked again, so the answer holds every
     * readable MSR of the list (one extra ioctl per refused MSR). Any number of indices.
     */
    public synchronized List<MsrEntry> getMsrs(int... indices) {
        List<MsrEntry> out = new ArrayList<>(indices.length);
        int start = 0;
        while (start < indices.length) {
            int n = Math.min(MSRS_PER_CALL, indices.length - start);
            ByteBuffer b = arg(msrsSize(n));
            b.putInt(0, n);
            for (int i = 0; i < n; i++) b.putInt(SIZEOF_KVM_MSRS + i * SIZEOF_KVM_MSR_ENTRY, indices[start + i]);
            // NATIVE: scratch holds kvm_msrs with nmsrs = n entries (size checked by msrsSize).
            int got = LibC.ioctl(fd(), KVM_GET_MSRS, scratch.address());
            if (got < 0) throw new KvmException("KVM_GET_MSRS", LibC.errno(), "vcpu " + id);
            got = Math.min(got, n);
            for (int i = 0; i < got; i++) {
                int o = SIZEOF_KVM_MSRS + i * SIZEOF_KVM_MSR_ENTRY;
                out.add(new MsrEntry(b.getInt(o), b.getLong(o + 8)));
            }
            start += got;
            if (got < n) start++; // indices[start] was refused: skip it
        }
        return out;
    }

    /** KVM_SET_MSRS, any number of entries; fails naming the first MSR KVM refused (the earlier ones are set). */
    public synchronized void setMsrs(List<MsrEntry> msrs) {
        for (int start = 0; start < msrs.size(); start += MSRS_PER_CALL) {
            int n = Math.min(MSRS_PER_CALL, msrs.size() - start);
            ByteBuffer b = arg(msrsSize(n));
            b.putInt(0, n);
            for (int i = 0; i < n; i++) {
                int o = SIZEOF_KVM_MSRS + i * SIZEOF_KVM_MSR_ENTRY;
                MsrEntry m = msrs.get(start + i);
                b.putInt(o, m.index()).putLong(o + 8, m.data());
            }
            // NATIVE: scratch holds kvm_msrs with nmsrs = n entries (size checked by msrsSize).
            int set = LibC.ioctl(fd(), KVM_SET_MSRS, scratch.address());
            if (set < 0) throw new KvmException("KVM_SET_MSRS", LibC.errno(), "vcpu " + id);
            if (set < n) {
                MsrEntry m = msrs.get(start + set);
                throw new KvmException("KVM_SET_MSRS", Errno.EINVAL,
                        String.format("vcpu %d: MSR 0x%x refused the value 0x%x", id, m.index(), m.data()));
            }
        }
    }

    private int msrsSize(int n) {
        long size = SIZEOF_KVM_MSRS + (long) n * SIZEOF_KVM_MSR_ENTRY;
        if (n < 0 || size > scratch.size()) throw new IllegalArgumentException(n + " MSRs do not fit one call");
        return (int) size;
    }

    /** KVM_SET_CPUID2: the CPUID leaves the guest sees. */
    public synchronized void setCpuid2(List<CpuidEntry> entries) {
        long size = SIZEOF_KVM_CPUID2 + (long) entries.size() * SIZEOF_KVM_CPUID_ENTRY2;
        if (size > scratch.size()) throw new IllegalArgumentException(entries.size() + " CPUID entries do not fit");
        ByteBuffer b = arg((int) size);
        b.putInt(0, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Structs.encodeCpuid(entries.get(i), b, SIZEOF_KVM_CPUID2 + i * SIZEOF_KVM_CPUID_ENTRY2);
        }
        ioctl("KVM_SET_CPUID2", KVM_SET_CPUID2);
    }

    /** KVM_GET_CPUID2: the leaves set with {@link #setCpuid2}. */
    public synchronized List<CpuidEntry> getCpuid2() {
        int max = (scratch.size() - SIZEOF_KVM_CPUID2) / SIZEOF_KVM_CPUID_ENTRY2;
        ByteBuffer b = arg(scratch.size());
        b.putInt(0, max);
        ioctl("KVM_GET_CPUID2", KVM_GET_CPUID2);
        int n = Math.min(b.getInt(0), max);
        List<CpuidEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Structs.decodeCpuid(b, SIZEOF_KVM_CPUID2 + i * SIZEOF_KVM_CPUID_ENTRY2));
        return out;
    }

    /** KVM_GET_LAPIC: the 1 KiB local APIC register page. */
    public synchronized byte[] getLapic() {
        arg(SIZEOF_KVM_LAPIC_STATE);
        ioctl("KVM_GET_LAPIC", KVM_GET_LAPIC);
        byte[] out = new byte[SIZEOF_KVM_LAPIC_STATE];
        scratch.buffer().get(0, out);
        return out;
    }

    public synchronized void setLapic(byte[] regs) {
        if (regs.length != SIZEOF_KVM_LAPIC_STATE) throw new IllegalArgumentException("LAPIC state is 1024 bytes");
        arg(SIZEOF_KVM_LAPIC_STATE).put(0, regs);
        ioctl("KVM_SET_LAPIC", KVM_SET_LAPIC);
    }

    /** KVM_GET_MP_STATE: {@code KVM_MP_STATE_*}. */
    public int getMpState() { return get("KVM_GET_MP_STATE", KVM_GET_MP_STATE, SIZEOF_KVM_MP_STATE, b -> b.getInt(0)); }

    public void setMpState(int state) {
        set("KVM_SET_MP_STATE", KVM_SET_MP_STATE, SIZEOF_KVM_MP_STATE, state, (v, b) -> b.putInt(0, v));
    }

    public VcpuEvents getVcpuEvents() {
        return get("KVM_GET_VCPU_EVENTS", KVM_GET_VCPU_EVENTS, SIZEOF_KVM_VCPU_EVENTS, Structs::decodeEvents);
    }

    public void setVcpuEvents(VcpuEvents events) {
        set("KVM_SET_VCPU_EVENTS", KVM_SET_VCPU_EVENTS, SIZEOF_KVM_VCPU_EVENTS, events, Structs::encodeEvents);
    }

    // ------------------------------------------------------------------ debugging

    /**
     * KVM_SET_GUEST_DEBUG: breakpoints and single-stepping owned by the VMM; their hits arrive as
     * {@link VcpuExit.Debug}. {@link GuestDebug#DISABLED} turns it off.
     */
    public void setGuestDebug(GuestDebug debug) {
        set("KVM_SET_GUEST_DEBUG", KVM_SET_GUEST_DEBUG, SIZEOF_KVM_GUEST_DEBUG, debug, Structs::encodeGuestDebug);
    }

    /** KVM_GET_DEBUGREGS: the guest's DR0-3, DR6, DR7. */
    public DebugRegs getDebugregs() {
        return get("KVM_GET_DEBUGREGS", KVM_GET_DEBUGREGS, SIZEOF_KVM_DEBUGREGS, Structs::decodeDebugregs);
    }

    /** KVM_SET_DEBUGREGS. KVM refuses a non-zero {@code flags} and DR6/DR7 bits above 31 (EINVAL). */
    public void setDebugregs(DebugRegs regs) {
        set("KVM_SET_DEBUGREGS", KVM_SET_DEBUGREGS, SIZEOF_KVM_DEBUGREGS, regs, Structs::encodeDebugregs);
    }

    /** KVM_TRANSLATE: walks guest-linear {@code linearAddress} through the vCPU's current page tables. */
    public synchronized Translation translate(long linearAddress) {
        arg(SIZEOF_KVM_TRANSLATION).putLong(TRANSLATION_LINEAR_ADDRESS, linearAddress);
        ioctl("KVM_TRANSLATE", KVM_TRANSLATE);
        return Structs.decodeTranslation(scratch.buffer());
    }

    // ------------------------------------------------------------------ extended state

    /**
     * KVM_GET_XSAVE (KVM_GET_XSAVE2 when the VM's XSAVE area is larger than 4096 bytes): the whole
     * FPU/SSE/AVX state. Works here even though this host's emulator refuses the guest's own
     * XSAVE instructions: the ioctl copies the state KVM keeps, it emulates nothing.
     */
    public synchronized Xsave getXsave() {
        boolean big = xsaveSize > SIZEOF_KVM_XSAVE;
        return withBuffer(xsaveSize, b -> {
            // NATIVE: the buffer has xsaveSize bytes, the size KVM_CAP_XSAVE2 reported (at least 4096).
            int r = LibC.ioctl(fd(), big ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, b.address());
            if (r < 0) throw new KvmException(big ? "KVM_GET_XSAVE2" : "KVM_GET_XSAVE", LibC.errno(), "vcpu " + id);
            byte[] region = new byte[xsaveSize];
            b.buffer().get(0, region);
            return new Xsave(region);
        });
    }

    /** KVM_SET_XSAVE. The area must be this VM's size ({@link #xsaveSize()}). */
    public synchronized void setXsave(Xsave xsave) {
        if (xsave.size() != xsaveSize) {
            throw new IllegalArgumentException("XSAVE area of " + xsave.size() + " bytes, this VM uses " + xsaveSize);
        }
        withBuffer(xsaveSize, b -> {
            b.cleared(xsaveSize).put(0, xsave.region());
            // NATIVE: the buffer holds xsaveSize bytes of kvm_xsave, the size KVM_CAP_XSAVE2 reported.
            if (LibC.ioctl(fd(), KVM_SET_XSAVE, b.address()) < 0) {
                throw new KvmException("KVM_SET_XSAVE", LibC.errno(), "vcpu " + id);
            }
            return null;
        });
    }

    /** The size of this VM's XSAVE area in bytes: 4096 unless KVM_CAP_XSAVE2 reports more. */
    public int xsaveSize() { return xsaveSize; }

    /** Runs {@code f} on the scratch buffer when {@code size} fits it, else on a temporary one. */
    private <T> T withBuffer(int size, Function<NativeBuffer, T> f) {
        fd();
        if (size <= scratch.size()) {
            scratch.cleared(size);
            return f.apply(scratch);
        }
        try (NativeBuffer big = new NativeBuffer(size)) {
            return f.apply(big);
        }
    }

    /** KVM_GET_XCRS: the extended control registers (XCR0). */
    public List<Xcr> getXcrs() {
        return get("KVM_GET_XCRS", KVM_GET_XCRS, SIZEOF_KVM_XCRS, Structs::decodeXcrs);
    }

    /** KVM_SET_XCRS: at most {@code KVM_MAX_XCRS} (16) entries. */
    public void setXcrs(List<Xcr> xcrs) {
        if (xcrs.size() > KVM_MAX_XCRS) throw new IllegalArgumentException(xcrs.size() + " XCRs, at most 16");
        set("KVM_SET_XCRS", KVM_SET_XCRS, SIZEOF_KVM_XCRS, xcrs, Structs::encodeXcrs);
    }

    /**
     * KVM_KVMCLOCK_CTRL: tells a guest using kvmclock that the VMM paused it (so its soft-lockup
     * watchdog does not fire after a long pause). Returns false when the guest has not enabled
     * kvmclock (EINVAL) or KVM lacks the capability.
     */
    public boolean kvmclockCtrl() {
        // NATIVE: no argument; fd is this vCPU's.
        if (LibC.ioctl(fd(), KVM_KVMCLOCK_CTRL, 0) == 0) return true;
        int e = LibC.errno();
        if (e == Errno.EINVAL || e == Errno.ENOTTY) return false;
        throw new KvmException("KVM_KVMCLOCK_CTRL", e, "vcpu " + id);
    }

    /** KVM_GET_TSC_KHZ: the guest TSC frequency. */
    public int getTscKhz() { return Kvm.check("KVM_GET_TSC_KHZ", LibC.ioctl(fd(), KVM_GET_TSC_KHZ, 0)); }

    public void setTscKhz(int khz) { Kvm.check("KVM_SET_TSC_KHZ", LibC.ioctl(fd(), KVM_SET_TSC_KHZ, khz)); }

    // ------------------------------------------------------------------ snapshots

    /**
     * Lets KVM finish the instruction of the last exit: KVM_RUN with {@code immediate_exit} set
     * completes a pending I/O or MMIO exit (with the data the VMM stored for an IN or MMIO read)
     * and returns at once without running the guest. KVM's API documentation asks for this before
     * saving the state. Leaves {@code immediate_exit} as it found it.
     */
    public void completePendingExit() {
        byte was = run.get(RUN_IMMEDIATE_EXIT);
        run.put(RUN_IMMEDIATE_EXIT, (byte) 1);
        try {
            // NATIVE: fd is owned by this VcpuFd and its kvm_run stays mapped until close().
            int r = LibC.ioctl(fd(), KVM_RUN, 0);
            if (r < 0 && LibC.errno() != Errno.EINTR && LibC.errno() != Errno.EAGAIN) {
                throw new KvmException("KVM_RUN", LibC.errno(), "vcpu " + id + " completing the last exit");
            }
        } finally {
            run.put(RUN_IMMEDIATE_EXIT, was);
        }
    }

    /**
     * The vCPU's complete state for a snapshot. Call it on the vCPU's thread, or while that thread
     * is parked outside KVM_RUN, after the last exit was handled: it first
     * {@linkplain #completePendingExit() completes} that exit. Order (as KVM requires): MP state
     * first (reading it may move pending INIT/SIPI into the LAPIC), then registers, XSAVE, XCRs,
     * debug registers, LAPIC, CPUID, MSRs (every readable one of KVM_GET_MSR_INDEX_LIST), and the
     * events last (after the LAPIC).
     */
    public VcpuState saveState() {
        completePendingExit();
        int mp = getMpState();
        var regs = getRegs();
        var sregs = getSregs();
        Xsave xsave = getXsave();
        List<Xcr> xcrs = getXcrs();
        DebugRegs dr = getDebugregs();
        byte[] lapic = vm.hasIrqchip() ? getLapic() : null;
        int khz = 0;
        if (vm.tscKhzSupported()) {
            // NATIVE: no argument; a failure (no stable TSC) just leaves the frequency unsaved.
            int r = LibC.ioctl(fd(), KVM_GET_TSC_KHZ, 0);
            khz = Math.max(r, 0);
        }
        List<CpuidEntry> cpuid = getCpuid2();
        List<MsrEntry> msrs = getMsrs(vm.msrsToSave());
        VcpuEvents events = getVcpuEvents();
        return new VcpuState(id, cpuid, mp, regs, sregs, xsave, xcrs, msrs, lapic, events, dr, khz);
    }

    /**
     * Loads {@link #saveState()}'s result into this vCPU (a new one, of a VM restored with
     * {@link VmFd#restoreState}, before its first KVM_RUN). Order: CPUID, TSC frequency (when it
     * differs and KVM can scale), MP state, registers, special registers (EFER before the MSRs
     * that depend on it), XSAVE, XCRs, debug registers, LAPIC (before the TSC-deadline MSR), MSRs,
     * events.
     *
     * @throws KvmException naming the first ioctl KVM refused (the vCPU is then half-restored:
     *         discard it)
     */
    public void restoreState(VcpuState s) {
        if (s.lapic() != null && !vm.hasIrqchip()) {
            throw new IllegalStateException("the state has a LAPIC; the VM needs createIrqchip() first");
        }
        if (!s.cpuid().isEmpty()) setCpuid2(s.cpuid());
        if (s.tscKhz() > 0 && vm.tscKhzSupported()) {
            // NATIVE: no argument; the result is only compared.
            int now = LibC.ioctl(fd(), KVM_GET_TSC_KHZ, 0);
            if (now > 0 && now != s.tscKhz()) setTscKhz(s.tscKhz());
        }
        setMpState(s.mpState());
        setRegs(s.regs());
        setSregs(s.sregs());
        setXsave(s.xsave());
        if (!s.xcrs().isEmpty()) setXcrs(s.xcrs());
        setDebugregs(s.debugRegs());
        if (s.lapic() != null) setLapic(s.lapic());
        setMsrs(s.msrs());
        setVcpuEvents(s.events());
        kvmclockCtrl();
    }

    /** Unmaps {@code kvm_run} and closes the fd. Idempotent. Not while the vCPU thread is in KVM_RUN. */
    @Override
    public void close() {
        synchronized (kickLock) {
            if (fd < 0) return;
            boundThread = 0;
            run = null;
            // NATIVE: runAddress/runSize are the kvm_run mapping made in the constructor, unmapped once.
            LibC.munmap(runAddress, runSize);
            runAddress = 0;
            LibC.close(fd);
            fd = -1;
        }
        synchronized (this) {
            scratch.close();
        }
    }
}
