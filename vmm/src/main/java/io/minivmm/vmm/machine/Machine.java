package io.minivmm.vmm.machine;

import static io.minivmm.kvm.sys.Uapi.KVM_PIT_SPEAKER_DUMMY;

import io.minivmm.kvm.KickFd;
import io.minivmm.kvm.Kvm;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.VmFd;
import io.minivmm.kvm.x86.CpuidEntry;
import io.minivmm.vmm.arch.x86.BootLayout;
import io.minivmm.vmm.arch.x86.CpuidPolicy;
import io.minivmm.vmm.devices.Doorbell;
import io.minivmm.vmm.devices.IrqEdge;
import io.minivmm.vmm.devices.IrqLine;
import io.minivmm.vmm.devices.MachineControl;
import io.minivmm.vmm.devices.MmioBus;
import io.minivmm.vmm.devices.Notifications;
import io.minivmm.vmm.devices.PioBus;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.memory.PhysMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The machine: a KVM VM with its guest memory, the in-kernel interrupt controller and PIT, the
 * port and MMIO buses, a list of {@link Part}s and the vCPUs. {@link #create} assembles it in one
 * readable sequence; {@link #close} takes it apart in reverse, whatever state it is in. Running
 * it (vCPU threads, console, outcome) is a session's job, not the machine's.
 * <pre>{@code
 * try (Machine m = Machine.create(new Machine.Config(2, "default"), memory, parts, control)) {
 *     // load an image into m.memory(), set up m.vcpus().get(0), start vCPU threads ...
 * }
 * }</pre>
 */
public final class Machine implements AutoCloseable {
    /** The machine's shape: vCPU count and the CPU model the guest sees ({@code default}, {@code host}, ...). */
    public record Config(int cpus, String cpuModel) { }

    private final Kvm kvm;
    private final VmFd vm;
    private final GuestMemory memory;
    private final PioBus pio = new PioBus();
    private final MmioBus mmio = new MmioBus();
    private final ResourceAllocator resources;
    private final List<Part> parts = new ArrayList<>();
    private final List<VcpuFd> vcpus = new ArrayList<>();
    private List<CpuidEntry> supportedCpuid = List.of();
    private List<CpuidEntry> bootCpuid = List.of();
    private PlatformInfo platform;
    private boolean closed;

    private Machine(Kvm kvm, VmFd vm, GuestMemory memory) {
        this.kvm = kvm;
        this.vm = vm;
        this.memory = memory;
        List<long[]> ram = new ArrayList<>();
        for (var r : memory.regions()) ram.add(new long[] {r.base(), r.end()});
        this.resources = new ResourceAllocator(ram);
    }

    /**
     * Opens KVM, creates the VM over {@code memory} (which the machine then owns and closes),
     * attaches and finishes every part in order, and creates the vCPUs with their CPUID and LAPIC.
     * On any failure everything created so far is closed before the exception leaves.
     *
     * @throws io.minivmm.kvm.KvmUnavailableException when KVM cannot be used
     * @throws ResourceException when the parts do not fit together
     */
    public static Machine create(Config config, GuestMemory memory, List<Part> parts, MachineControl control) {
        Kvm kvm;
        try {
            kvm = Kvm.open();
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
        Machine m = null;
        try {
            VmFd vm = kvm.createVm();
            m = new Machine(kvm, vm, memory);
            m.build(config, parts, control);
            return m;
        } catch (RuntimeException | Error e) {
            if (m != null) m.close();
            else {
                memory.close();
                kvm.close();
            }
            throw e;
        }
    }

    private void build(Config config, List<Part> newParts, MachineControl control) {
        vm.setTssAddr(BootLayout.KVM_TSS_ADDR);
        vm.setIdentityMapAddr(BootLayout.KVM_IDENTITY_MAP_ADDR);
        // RAM slots before the irqchip: a memory slot added to a VM that has an in-kernel irqchip
        // waits for an SRCU grace period (5-9 ms here, measured); one added before does not.
        memory.registerSlots(vm);
        vm.createIrqchip();
        vm.createPit2(KVM_PIT_SPEAKER_DUMMY);

        supportedCpuid = kvm.supportedCpuid();
        // The boot CPU's identity also goes into the platform tables (the MP table repeats it).
        bootCpuid = CpuidPolicy.forModel(supportedCpuid, config.cpuModel(), 0, config.cpus());
        CpuidEntry leaf1 = new CpuidEntry(1, 0, 0, 0, 0, 0, 0);
        for (CpuidEntry e : bootCpuid) {
            if (e.function() == 1) {
                leaf1 = e;
                break;
            }
        }
        platform = new PlatformInfo(config.cpus(), leaf1.eax(), leaf1.edx());

        Wiring wiring = new MachineWiring(control, config.cpus());
        for (Part p : newParts) {
            parts.add(p); // closed with the machine even if its attach fails half-way
            p.attach(wiring);
        }
        for (Part p : parts) p.finish(wiring);

        for (int id = 0; id < config.cpus(); id++) {
            VcpuFd v = vm.createVcpu(id);
            vcpus.add(v);
            v.setCpuid2(id == 0 ? bootCpuid : CpuidPolicy.forModel(supportedCpuid, config.cpuModel(), id, config.cpus()));
            v.enableSyncRegs(kvm);
            setupLapic(v);
        }
    }

    /** LVT mask bit and delivery-mode field (Intel SDM vol. 3, 11.5.1). */
    private static final int LVT_MASKED = 1 << 16, LVT_MODE = 0x700, LVT_EXTINT = 0x700, LVT_NMI = 0x400;

    /** LAPIC LINT0 as ExtINT (the PIC's output) and LINT1 as NMI, both unmasked, as a PC's BIOS leaves them. */
    private static void setupLapic(VcpuFd v) {
        byte[] lapic = v.getLapic();
        ByteBuffer regs = ByteBuffer.wrap(lapic).order(ByteOrder.LITTLE_ENDIAN);
        regs.putInt(0x350, (regs.getInt(0x350) & ~(LVT_MASKED | LVT_MODE)) | LVT_EXTINT);
        regs.putInt(0x360, (regs.getInt(0x360) & ~(LVT_MASKED | LVT_MODE)) | LVT_NMI);
        v.setLapic(lapic);
    }

    private final class MachineWiring implements Wiring {
        private final MachineControl control;
        private final int cpus;

        MachineWiring(MachineControl control, int cpus) {
            this.control = control;
            this.cpus = cpus;
        }

        @Override public PioBus pio() { return pio; }
        @Override public MmioBus mmio() { return mmio; }
        @Override public PhysMemory memory() { return memory; }
        @Override public ResourceAllocator resources() { return resources; }
        @Override public PlatformInfo platform() { return platform; }
        @Override public MachineControl control() { return control; }
        @Override public int cpus() { return cpus; }

        @Override
        public IrqLine irq(int gsi) {
            if (resources.irqOwner(gsi) == null) throw new ResourceException("IRQ " + gsi + " used before it was claimed");
            return new IrqLine() { // not a lambda: linked on every boot (docs/STARTUP.md)
                @Override
                public void set(boolean level) {
                    vm.irqLine(gsi, level);
                }
            };
        }

        @Override
        public Notifications notifications() { return kvmNotifications; }
    }

    /**
     * Virtio fast paths: a guest write to a doorbell register signals an eventfd inside KVM
     * (KVM_IOEVENTFD) instead of exiting to the VMM, and a device raises its interrupt by writing
     * an eventfd that KVM turns into an edge on the GSI (KVM_IRQFD). Both are undone in close(),
     * while the VM fd is still open.
     */
    private final Notifications kvmNotifications = new Notifications() {
        @Override
        public Bell doorbell(String owner, long mmioAddress, int length) {
            KickFd fd = KickFd.create();
            try {
                vm.ioeventfd(fd.fd(), mmioAddress, length, false, null, false);
            } catch (RuntimeException e) {
                fd.close();
                throw e;
            }
            return new Bell(new Doorbell() {
                @Override public void ring() { fd.signal(); }
                @Override public void await() { fd.await(); }
                @Override
                public void close() {
                    try {
                        vm.ioeventfd(fd.fd(), mmioAddress, length, false, null, true);
                    } catch (RuntimeException ignored) {
                        // the VM goes away next; closing the fd is what matters
                    }
                    fd.close();
                }
            }, true);
        }

        @Override
        public IrqEdge edge(int gsi) {
            if (resources.irqOwner(gsi) == null) throw new ResourceException("IRQ " + gsi + " used before it was claimed");
            KickFd fd = KickFd.create();
            try {
                vm.irqfd(fd.fd(), gsi, false);
            } catch (RuntimeException e) {
                fd.close();
                throw e;
            }
            return new IrqEdge() {
                @Override public void pulse() { fd.signal(); }
                @Override
                public void close() {
                    try {
                        vm.irqfd(fd.fd(), gsi, true);
                    } catch (RuntimeException ignored) {
                        // as above
                    }
                    fd.close();
                }
            };
        }
    };

    public Kvm kvm() { return kvm; }

    public VmFd vm() { return vm; }

    public GuestMemory memory() { return memory; }

    public PioBus pio() { return pio; }

    public MmioBus mmio() { return mmio; }

    public ResourceAllocator resources() { return resources; }

    public PlatformInfo platform() { return platform; }

    /** The parts in attach order. */
    public List<Part> parts() { return Collections.unmodifiableList(parts); }

    /** The first part of the given type, or null. */
    public <T extends Part> T part(Class<T> type) {
        for (Part p : parts) if (type.isInstance(p)) return type.cast(p);
        return null;
    }

    public List<VcpuFd> vcpus() { return Collections.unmodifiableList(vcpus); }

    /** What KVM can show a guest (KVM_GET_SUPPORTED_CPUID). */
    public List<CpuidEntry> supportedCpuid() { return supportedCpuid; }

    /** The CPUID the boot CPU was given. */
    public List<CpuidEntry> bootCpuid() { return bootCpuid; }

    /** Resets every part to its power-on state. */
    public void resetParts() { for (Part p : parts) p.reset(); }

    /**
     * Closes the parts (last attached first), the vCPUs and the VM, guest memory and KVM.
     * The caller must have stopped every vCPU thread. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (RuntimeException e) {
                // A part's close must not keep the others (or the VM's fds) open.
            }
        }
        vm.close();
        memory.close();
        kvm.close();
    }
}
