package io.minivmm.kvm;

import static io.minivmm.kvm.sys.Uapi.*;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.sys.NativeBuffer;
import io.minivmm.kvm.sys.NativeStubs;
import io.minivmm.kvm.sys.Structs;
import io.minivmm.kvm.x86.ClockData;
import io.minivmm.kvm.x86.Irqchip;
import io.minivmm.kvm.x86.PitState2;
import io.minivmm.kvm.x86.VmState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A KVM virtual machine fd: memory slots, irqchip, PIT, IRQ lines, irqfd/ioeventfd, dirty log,
 * clock, and vCPU creation. Methods are named after their ioctl and thread-safe.
 * <pre>{@code
 * try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
 *     vm.setUserMemoryRegion(0, 0, 0, mapping.size(), mapping.hostAddress());
 *     vm.setTssAddr(0xfffbd000L);
 *     vm.createIrqchip();
 *     VcpuFd vcpu = vm.createVcpu(0);
 * }
 * }</pre>
 * Closing the VM closes the vCPUs it created.
 */
public final class VmFd implements AutoCloseable {
    private int fd;
    private final int vcpuMmapSize;
    private final NativeBuffer scratch = new NativeBuffer(1024);
    private final List<VcpuFd> vcpus = new ArrayList<>();
    /** Size of each memory slot this VmFd created, for sizing dirty bitmaps. */
    private final java.util.Map<Integer, Long> slotSizes = new java.util.HashMap<>();

    /** The MSRs a vCPU snapshot saves (KVM_GET_MSR_INDEX_LIST), taken while the Kvm fd was open. */
    private final int[] msrsToSave;
    private final boolean tscKhz;
    private boolean irqchip, pit;

    VmFd(int fd, int vcpuMmapSize, int[] msrsToSave, boolean tscKhz) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
        this.msrsToSave = msrsToSave;
        this.tscKhz = tscKhz;
    }

    /** The MSR indices {@link VcpuFd#saveState()} asks for. */
    int[] msrsToSave() { return msrsToSave.clone(); }

    boolean tscKhzSupported() { return tscKhz; }

    /** Whether {@link #createIrqchip()} succeeded: LAPIC, PIC and IOAPIC are in the kernel. */
    public synchronized boolean hasIrqchip() { return irqchip; }

    /** Whether {@link #createPit2(int)} succeeded. */
    public synchronized boolean hasPit() { return pit; }

    /**
     * The VM-wide state a snapshot needs: the three irqchips (if any), the PIT (if any) and the
     * clock. Take it with every vCPU paused, together with each vCPU's {@link VcpuFd#saveState()}.
     */
    public VmState saveState() {
        List<Irqchip> chips = new ArrayList<>(3);
        if (hasIrqchip()) {
            for (int id = Irqchip.PIC_MASTER; id <= Irqchip.IOAPIC; id++) chips.add(getIrqchip(id));
        }
        PitState2 p = hasPit() ? getPit2() : null;
        return new VmState(chips, p, getClockData());
    }

    /**
     * Restores {@link #saveState()}'s result into this VM, which must have been set up the same
     * way (irqchip and PIT created, memory restored); then restore each vCPU. The clock continues
     * from the saved value: the time the snapshot spent on disk does not pass for the guest.
     */
    public void restoreState(VmState state) {
        if (!state.irqchips().isEmpty() && !hasIrqchip()) {
            throw new IllegalStateException("the state has an irqchip; call createIrqchip() first");
        }
        if (state.pit() != null && !hasPit()) throw new IllegalStateException("the state has a PIT; call createPit2() first");
        for (Irqchip c : state.irqchips()) setIrqchip(c);
        if (state.pit() != null) setPit2(state.pit());
        setClockData(ClockData.at(state.clock().clock()));
    }

    private int fd() {
        int f = fd;
        if (f < 0) throw new IllegalStateException("VmFd is closed");
        return f;
    }

    /** The scratch buffer for an ioctl argument, after checking the VM is open. */
    private ByteBuffer arg(int len) {
        fd();
        return scratch.cleared(len);
    }

    /** The raw fd, for diagnostics. */
    public int rawFd() { return fd; }

    /** KVM_CHECK_EXTENSION on the VM (some answers differ per VM). */
    public int checkExtension(Cap cap) {
        return Kvm.check("KVM_CHECK_EXTENSION", LibC.ioctl(fd(), KVM_CHECK_EXTENSION, cap.number));
    }

    private int xsaveSize;

    /** The size of a vCPU's kvm_xsave: KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM, at least 4096. */
    private int xsaveSize() {
        if (xsaveSize == 0) xsaveSize = Math.max(SIZEOF_KVM_XSAVE, checkExtension(Cap.XSAVE2));
        return xsaveSize;
    }

    /** KVM_CREATE_VCPU with the given APIC id; maps its {@code kvm_run}. */
    public synchronized VcpuFd createVcpu(int id) {
        int vfd = LibC.ioctl(fd(), KVM_CREATE_VCPU, id);
        if (vfd < 0) throw new KvmException("KVM_CREATE_VCPU", LibC.errno(), "vcpu id " + id);
        VcpuFd v;
        try {
            v = new VcpuFd(this, vfd, id, vcpuMmapSize, xsaveSize());
        } catch (RuntimeException e) {
            LibC.close(vfd);
            throw e;
        }
        vcpus.add(v);
        return v;
    }

    /**
     * KVM_SET_USER_MEMORY_REGION. {@code flags}: {@code KVM_MEM_LOG_DIRTY_PAGES} (1),
     * {@code KVM_MEM_READONLY} (2). A size of 0 deletes the slot. {@code hostAddress} must stay
     * mapped while the slot exists.
     */
    public synchronized void setUserMemoryRegion(int slot, int flags, long guestPhysAddr, long size, long hostAddress) {
        ByteBuffer b = arg(SIZEOF_KVM_USERSPACE_MEMORY_REGION);
        b.putInt(0, slot).putInt(4, flags).putLong(8, guestPhysAddr).putLong(16, size).putLong(24, hostAddress);
        // NATIVE: scratch holds a kvm_userspace_memory_region; KVM copies it before returning.
        int r = LibC.ioctl(fd(), KVM_SET_USER_MEMORY_REGION, scratch.address());
        if (r < 0) {
            throw new KvmException("KVM_SET_USER_MEMORY_REGION", LibC.errno(),
                    String.format("slot %d gpa 0x%x size 0x%x", slot, guestPhysAddr, size));
        }
        if (size == 0) slotSizes.remove(slot);
        else slotSizes.put(slot, size);
    }

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space Intel VMX needs for real mode. */
    public void setTssAddr(long address) {
        Kvm.check("KVM_SET_TSS_ADDR", LibC.ioctl(fd(), KVM_SET_TSS_ADDR, address));
    }

    /** KVM_SET_IDENTITY_MAP_ADDR: one page for the EPT identity map used in real mode. */
    public synchronized void setIdentityMapAddr(long address) {
        arg(8).putLong(0, address);
        // NATIVE: scratch holds the u64 address.
        Kvm.check("KVM_SET_IDENTITY_MAP_ADDR", LibC.ioctl(fd(), KVM_SET_IDENTITY_MAP_ADDR, scratch.address()));
    }

    /** KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and per-vCPU LAPICs. Call before creating vCPUs. */
    public synchronized void createIrqchip() {
        Kvm.check("KVM_CREATE_IRQCHIP", LibC.ioctl(fd(), KVM_CREATE_IRQCHIP, 0));
        irqchip = true;
    }

    /** KVM_CREATE_PIT2 with flags (e.g. {@code KVM_PIT_SPEAKER_DUMMY} = 1). */
    public synchronized void createPit2(int flags) {
        arg(SIZEOF_KVM_PIT_CONFIG).putInt(0, flags);
        // NATIVE: scratch holds a zeroed kvm_pit_config.
        Kvm.check("KVM_CREATE_PIT2", LibC.ioctl(fd(), KVM_CREATE_PIT2, scratch.address()));
        pit = true;
    }

    /** KVM_IRQ_LINE: drive GSI {@code irq} high or low (in-kernel irqchip required). */
    public synchronized void irqLine(int irq, boolean level) {
        arg(SIZEOF_KVM_IRQ_LEVEL).putInt(0, irq).putInt(4, level ? 1 : 0);
        // NATIVE: scratch holds a kvm_irq_level.
        int r = LibC.ioctl(fd(), KVM_IRQ_LINE, scratch.address());
        if (r < 0) throw new KvmException("KVM_IRQ_LINE", LibC.errno(), "irq " + irq);
    }

    /** KVM_IRQFD: signalling {@code eventFd} pulses GSI {@code gsi} (edge); {@code deassign} removes it. */
    public void irqfd(EventFd eventFd, int gsi, boolean deassign) { irqfd(eventFd.fd(), gsi, deassign); }

    /**
     * KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE, for a level-triggered line: signalling {@code trigger}
     * raises GSI {@code gsi} and keeps it high; when the guest EOIs it KVM lowers the line and
     * signals {@code resample}, where the device re-raises it if it still needs service
     * (KVM_CAP_IRQFD_RESAMPLE, in-kernel irqchip). Deassign with {@link #irqfd(EventFd, int, boolean)}.
     */
    public synchronized void irqfdResample(EventFd trigger, EventFd resample, int gsi) {
        arg(SIZEOF_KVM_IRQFD).putInt(IRQFD_FD, trigger.fd()).putInt(IRQFD_GSI, gsi)
                .putInt(IRQFD_FLAGS, KVM_IRQFD_FLAG_RESAMPLE).putInt(IRQFD_RESAMPLEFD, resample.fd());
        // NATIVE: scratch holds a kvm_irqfd with both fds open (owned by the caller's EventFds).
        int r = LibC.ioctl(fd(), KVM_IRQFD, scratch.address());
        if (r < 0) throw new KvmException("KVM_IRQFD", LibC.errno(), "gsi " + gsi + " with resample");
    }

    /** KVM_IOEVENTFD with an {@link EventFd}: see {@link #ioeventfd(int, long, int, boolean, Long, boolean)}. */
    public void ioeventfd(EventFd eventFd, long addr, int len, boolean pio, Long datamatch, boolean deassign) {
        ioeventfd(eventFd.fd(), addr, len, pio, datamatch, deassign);
    }

    /** KVM_IRQFD: signalling eventfd {@code eventFd} raises GSI {@code gsi}; {@code deassign} removes it. */
    public synchronized void irqfd(int eventFd, int gsi, boolean deassign) {
        arg(SIZEOF_KVM_IRQFD).putInt(0, eventFd).putInt(4, gsi).putInt(8, deassign ? KVM_IRQFD_FLAG_DEASSIGN : 0);
        // NATIVE: scratch holds a kvm_irqfd.
        Kvm.check("KVM_IRQFD", LibC.ioctl(fd(), KVM_IRQFD, scratch.address()));
    }

    /**
     * KVM_IOEVENTFD: a guest write of {@code len} bytes to {@code addr} (a port when {@code pio})
     * signals {@code eventFd} in the kernel instead of exiting. {@code datamatch} null matches any value.
     * {@code len} 0 matches a write of any size (MMIO only); deassign with the same arguments.
     */
    public synchronized void ioeventfd(int eventFd, long addr, int len, boolean pio, Long datamatch, boolean deassign) {
        ByteBuffer b = arg(SIZEOF_KVM_IOEVENTFD);
        int flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) | (datamatch != null ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0)
                | (deassign ? KVM_IOEVENTFD_FLAG_DEASSIGN : 0);
        b.putLong(IOEVENTFD_DATAMATCH, datamatch == null ? 0 : datamatch).putLong(IOEVENTFD_ADDR, addr)
                .putInt(IOEVENTFD_LEN, len).putInt(IOEVENTFD_FD, eventFd).putInt(IOEVENTFD_FLAGS, flags);
        // NATIVE: scratch holds a kvm_ioeventfd.
        Kvm.check("KVM_IOEVENTFD", LibC.ioctl(fd(), KVM_IOEVENTFD, scratch.address()));
    }

    /**
     * KVM_GET_DIRTY_LOG for a slot created with dirty logging: returns one bit per page, in
     * {@code (pages + 63) / 64} words, and resets the log (unless manual protection is on, see
     * {@link #clearDirtyLog}). The kernel writes one bit per page of the whole slot, so the buffer
     * is sized from the slot as this VmFd created it, whatever {@code pages} says.
     */
    public long[] getDirtyLog(int slot, long pages) {
        long slotPages;
        synchronized (this) {
            Long size = slotSizes.get(slot);
            if (size == null) throw new IllegalArgumentException("no memory slot " + slot);
            slotPages = (size + 4095) / 4096;
        }
        if (pages < 0 || pages > slotPages) throw new IllegalArgumentException(pages + " pages, slot has " + slotPages);
        long slotWords = (slotPages + 63) / 64;
        if (slotWords * 8 > Integer.MAX_VALUE) throw new IllegalArgumentException("slot too large for one bitmap");
        int words = (int) ((pages + 63) / 64);
        try (NativeBuffer bitmap = new NativeBuffer((int) Math.max(8, slotWords * 8))) {
            synchronized (this) {
                ByteBuffer b = arg(SIZEOF_KVM_DIRTY_LOG);
                b.putInt(0, slot).putLong(8, bitmap.address());
                // NATIVE: bitmap has room for one bit per page of the slot (size recorded by setUserMemoryRegion).
                Kvm.check("KVM_GET_DIRTY_LOG", LibC.ioctl(fd(), KVM_GET_DIRTY_LOG, scratch.address()));
            }
            long[] out = new long[words];
            ByteBuffer bb = bitmap.buffer();
            for (int i = 0; i < words; i++) out[i] = bb.getLong(i * 8);
            if (pages % 64 != 0 && words > 0) out[words - 1] &= (1L << (pages % 64)) - 1;
            return out;
        }
    }

    /** KVM_GET_IRQCHIP: the state of one in-kernel chip ({@link Irqchip#PIC_MASTER}, PIC_SLAVE, IOAPIC). */
    public synchronized Irqchip getIrqchip(int chipId) {
        arg(SIZEOF_KVM_IRQCHIP).putInt(IRQCHIP_CHIP_ID, chipId);
        // NATIVE: scratch holds a kvm_irqchip (520 bytes) with chip_id set; KVM fills the union.
        int r = LibC.ioctl(fd(), KVM_GET_IRQCHIP, scratch.address());
        if (r < 0) throw new KvmException("KVM_GET_IRQCHIP", LibC.errno(), "chip " + chipId);
        byte[] state = new byte[Irqchip.STATE_SIZE];
        scratch.buffer().get(IRQCHIP_CHIP, state);
        return new Irqchip(chipId, state);
    }

    /** KVM_SET_IRQCHIP: restores one chip's state (the VM must have an in-kernel irqchip). */
    public synchronized void setIrqchip(Irqchip chip) {
        ByteBuffer b = arg(SIZEOF_KVM_IRQCHIP);
        b.putInt(IRQCHIP_CHIP_ID, chip.chipId()).put(IRQCHIP_CHIP, chip.state());
        // NATIVE: scratch holds a complete kvm_irqchip.
        int r = LibC.ioctl(fd(), KVM_SET_IRQCHIP, scratch.address());
        if (r < 0) throw new KvmException("KVM_SET_IRQCHIP", LibC.errno(), "chip " + chip.chipId());
    }

    /** KVM_GET_PIT2: the in-kernel PIT (after {@link #createPit2}). */
    public synchronized PitState2 getPit2() {
        arg(SIZEOF_KVM_PIT_STATE2);
        // NATIVE: scratch has room for a kvm_pit_state2.
        Kvm.check("KVM_GET_PIT2", LibC.ioctl(fd(), KVM_GET_PIT2, scratch.address()));
        return Structs.decodePit2(scratch.buffer());
    }

    /** KVM_SET_PIT2. KVM restarts each counter's period from now (the saved load time is a host time). */
    public synchronized void setPit2(PitState2 pit) {
        Structs.encodePit2(pit, arg(SIZEOF_KVM_PIT_STATE2));
        // NATIVE: scratch holds a kvm_pit_state2.
        Kvm.check("KVM_SET_PIT2", LibC.ioctl(fd(), KVM_SET_PIT2, scratch.address()));
    }

    /** KVM_GET_CLOCK with its flags ({@link ClockData#TSC_STABLE}, REALTIME, HOST_TSC) and host times. */
    public synchronized ClockData getClockData() {
        arg(SIZEOF_KVM_CLOCK_DATA);
        // NATIVE: scratch has room for a kvm_clock_data.
        Kvm.check("KVM_GET_CLOCK", LibC.ioctl(fd(), KVM_GET_CLOCK, scratch.address()));
        return Structs.decodeClock(scratch.buffer());
    }

    /**
     * KVM_SET_CLOCK with flags: {@link ClockData#REALTIME} adds the wall time elapsed since
     * {@code realtime}; other flags are accepted and ignored by KVM.
     */
    public synchronized void setClockData(ClockData clock) {
        Structs.encodeClock(clock, arg(SIZEOF_KVM_CLOCK_DATA));
        // NATIVE: scratch holds a kvm_clock_data.
        Kvm.check("KVM_SET_CLOCK", LibC.ioctl(fd(), KVM_SET_CLOCK, scratch.address()));
    }

    /**
     * KVM_CLEAR_DIRTY_LOG (after {@code enableCap(Cap.MANUAL_DIRTY_LOG_PROTECT2, 1)}): clears and
     * write-protects again the pages of {@code bitmap} (bit {@code i} is page {@code firstPage + i})
     * in slot {@code slot}. {@code firstPage} and {@code numPages} must be multiples of 64 unless the
     * range ends at the slot's end.
     */
    public void clearDirtyLog(int slot, long firstPage, int numPages, long[] bitmap) {
        if (numPages < 0 || (long) bitmap.length * 64 < numPages) {
            throw new IllegalArgumentException(numPages + " pages, bitmap of " + bitmap.length + " words");
        }
        try (NativeBuffer bits = new NativeBuffer(Math.max(8, bitmap.length * 8))) {
            ByteBuffer bb = bits.buffer();
            for (int i = 0; i < bitmap.length; i++) bb.putLong(i * 8, bitmap[i]);
            synchronized (this) {
                arg(SIZEOF_KVM_CLEAR_DIRTY_LOG).putInt(CLEAR_DIRTY_SLOT, slot).putInt(CLEAR_DIRTY_NUM_PAGES, numPages)
                        .putLong(CLEAR_DIRTY_FIRST_PAGE, firstPage).putLong(CLEAR_DIRTY_BITMAP, bits.address());
                // NATIVE: bits holds one bit per page for numPages pages (checked against bitmap.length above).
                int r = LibC.ioctl(fd(), KVM_CLEAR_DIRTY_LOG, scratch.address());
                if (r < 0) {
                    throw new KvmException("KVM_CLEAR_DIRTY_LOG", LibC.errno(),
                            "slot " + slot + " pages " + firstPage + "+" + numPages);
                }
            }
        }
    }

    /** KVM_GET_CLOCK: kvmclock's current value in ns. */
    public synchronized long getClock() {
        arg(SIZEOF_KVM_CLOCK_DATA);
        // NATIVE: scratch has room for a kvm_clock_data.
        Kvm.check("KVM_GET_CLOCK", LibC.ioctl(fd(), KVM_GET_CLOCK, scratch.address()));
        return scratch.buffer().getLong(CLOCK_CLOCK);
    }

    /** KVM_SET_CLOCK: set kvmclock to {@code ns}. */
    public synchronized void setClock(long ns) {
        arg(SIZEOF_KVM_CLOCK_DATA).putLong(CLOCK_CLOCK, ns);
        // NATIVE: scratch holds a kvm_clock_data.
        Kvm.check("KVM_SET_CLOCK", LibC.ioctl(fd(), KVM_SET_CLOCK, scratch.address()));
    }

    /** KVM_ENABLE_CAP on the VM with up to four arguments. */
    public synchronized void enableCap(Cap cap, long... args) {
        if (args.length > 4) throw new IllegalArgumentException("kvm_enable_cap takes at most 4 args");
        ByteBuffer b = arg(SIZEOF_KVM_ENABLE_CAP);
        b.putInt(0, cap.number);
        for (int i = 0; i < args.length; i++) b.putLong(8 + i * 8, args[i]);
        // NATIVE: scratch holds a kvm_enable_cap.
        int r = LibC.ioctl(fd(), KVM_ENABLE_CAP, scratch.address());
        if (r < 0) throw new KvmException("KVM_ENABLE_CAP", LibC.errno(), "KVM_CAP_" + cap);
    }

    /**
     * Set to {@code false}, {@link #close()} closes the VM fd plainly and waits for the kernel's
     * teardown of the VM (see there).
     */
    public static final String DEFER_TEARDOWN_PROPERTY = "minivmm.kvm.deferTeardown";

    /** Set once io_uring has been refused: later closes do not ask again. */
    private static volatile boolean deferUnavailable;

    private boolean teardownDeferred;

    /**
     * Closes every vCPU created from this VM, then the VM fd. Idempotent.
     * <p>The kernel tears a VM with an in-kernel irqchip down slowly: it unregisters the PIC,
     * IOAPIC and PIT devices one by one and waits for an SRCU grace period after each, ~16-21 ms
     * on a 250 Hz host kernel, all inside the last {@code close} (or inside the exit of a process
     * that kept the fd). So the VM fd's last reference is handed to the kernel instead (through a
     * one-entry io_uring that a short-lived native thread makes and closes, see native-stubs'
     * {@code minivmm_close_deferred}; on the calling thread the ring's teardown would make its
     * next ioctl fail with EINTR), and the kernel finishes the teardown from a workqueue a few
     * jiffies later; this method returns in ~0.2 ms. Nothing of
     * the VM remains visible to this process when it returns: no fd, no mapping, no thread, and
     * the guest's memory is the caller's to unmap. Where io_uring is unavailable (an old kernel,
     * a seccomp profile or {@code kernel.io_uring_disabled}) or
     * {@code -D}{@value #DEFER_TEARDOWN_PROPERTY}{@code =false} is set, the fd is closed plainly,
     * and so it is beyond {@value #DEFERRALS_PER_SECOND} deferrals a second, which keeps the
     * kernel's backlog of VMs to tear down bounded.
     */
    @Override
    public synchronized void close() {
        for (VcpuFd v : vcpus) v.close();
        vcpus.clear();
        if (fd >= 0) {
            teardownDeferred = closeLastReference(fd);
            fd = -1;
        }
        scratch.close();
    }

    /** Whether {@link #close()} left the VM's teardown to the kernel's workqueue (see there). */
    public synchronized boolean teardownDeferred() { return teardownDeferred; }

    /**
     * At most this many teardowns are handed to the kernel per second; a close beyond that waits
     * for its own. The kernel tears deferred VMs down one after another (~20 ms each here, ~50-70
     * a second), so a program that closes VMs in a tight loop would otherwise pile up pending VMs
     * (their irqchips, vCPUs and PIT threads) in kernel memory without bound.
     */
    static final int DEFERRALS_PER_SECOND = 32;
    private static long[] recentDeferrals = new long[DEFERRALS_PER_SECOND];
    private static int nextDeferral;

    /** Tests: another budget per second (the history starts empty). */
    static synchronized void deferralBudget(int perSecond) {
        recentDeferrals = new long[perSecond];
        nextDeferral = 0;
    }

    /** Whether a teardown may be deferred now: fewer than the budget in the last second. */
    static synchronized boolean deferralAllowed(long nowNanos) {
        long oldest = recentDeferrals[nextDeferral];
        if (oldest != 0 && nowNanos - oldest < 1_000_000_000L) return false;
        recentDeferrals[nextDeferral] = nowNanos;
        nextDeferral = (nextDeferral + 1) % recentDeferrals.length;
        return true;
    }

    private static boolean closeLastReference(int fd) {
        if (!deferUnavailable && !"false".equals(System.getProperty(DEFER_TEARDOWN_PROPERTY))
                && deferralAllowed(System.nanoTime())) {
            // NATIVE: fd is this VM's fd, owned here; on success the stub has closed it.
            int r = NativeStubs.minivmm_close_deferred(fd);
            if (r == 0) return true;
            // Refused for good (no io_uring, banned, no fixed files): stop asking. Out of fds or
            // memory: only this once.
            int errno = -r;
            if (errno == Errno.ENOSYS || errno == Errno.EPERM || errno == Errno.EACCES || errno == Errno.EINVAL) {
                deferUnavailable = true;
            }
        }
        LibC.close(fd);
        return false;
    }
}
