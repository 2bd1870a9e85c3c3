package io.minivmm.kvm;

import static io.minivmm.kvm.sys.Uapi.*;

import io.minivmm.kvm.sys.Errno;
import io.minivmm.kvm.sys.LibC;
import io.minivmm.kvm.sys.NativeBuffer;
import io.minivmm.kvm.sys.Structs;
import io.minivmm.kvm.x86.CpuidEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The KVM system fd ({@code /dev/kvm}): API version, capabilities, supported CPUID, MSR index
 * list, and VM creation.
 * <pre>{@code
 * Kvm.Availability a = Kvm.availability();
 * if (!a.available()) { System.err.println(a.reason()); return; }
 * try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) { ... }
 * }</pre>
 * The device path is {@code /dev/kvm} unless the system property {@code minivmm.kvm.device}
 * names another (tests use it to simulate a machine without KVM).
 */
public final class Kvm implements AutoCloseable {
    /** Capabilities without which minivmm does not start. */
    public static final Set<Cap> REQUIRED = EnumSet.of(Cap.USER_MEMORY, Cap.SET_TSS_ADDR, Cap.EXT_CPUID,
            Cap.IMMEDIATE_EXIT, Cap.IRQCHIP);

    private final String device;
    private int fd;
    private final int vcpuMmapSize;

    private Kvm(String device, int fd) {
        this.device = device;
        this.fd = fd;
        int size = LibC.ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
        if (size < 0) {
            int e = LibC.errno();
            LibC.close(fd);
            throw new KvmException("KVM_GET_VCPU_MMAP_SIZE", e);
        }
        this.vcpuMmapSize = size;
    }

    /** The device path in use: {@code /dev/kvm} or the {@code minivmm.kvm.device} property. */
    public static String devicePath() {
        return System.getProperty("minivmm.kvm.device", "/dev/kvm");
    }

    /** Whether KVM can be used, and if not, why and how to fix it. */
    public record Availability(boolean available, String reason) {}

    /** Opens the device, checks the API version and the required capabilities, and closes it again. */
    public static Availability availability() {
        try (Kvm kvm = open()) {
            return new Availability(true, "KVM API " + kvm.apiVersion() + " on " + kvm.device);
        } catch (KvmUnavailableException e) {
            return new Availability(false, e.reason());
        } catch (KvmException e) {
            return new Availability(false, e.getMessage());
        }
    }

    /** Shorthand for {@code availability().available()}. */
    public static boolean isAvailable() { return availability().available(); }

    /**
     * Opens {@link #devicePath()} and checks it is usable.
     *
     * @throws KvmUnavailableException with a one-line reason that says how to fix it
     */
    public static Kvm open() {
        String dev = devicePath();
        // NATIVE: path is a NUL-terminated Java string; the fd is owned by the Kvm from here on.
        int fd = LibC.open(dev, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0) {
            int e = LibC.errno();
            throw new KvmUnavailableException("open " + dev, e, switch (e) {
                case Errno.ENOENT -> dev + " does not exist: enable virtualisation (VT-x/AMD-V) in the firmware and load"
                        + " the kvm_intel or kvm_amd module (modprobe kvm_intel), or run on a machine with KVM";
                case Errno.EACCES, Errno.EPERM -> "no permission to open " + dev + ": add your user to its group"
                        + " (sudo usermod -aG kvm $USER, then log in again) or grant access (sudo setfacl -m u:$USER:rw "
                        + dev + ")";
                case Errno.ENXIO, Errno.ENODEV -> dev + " exists but no KVM driver answers: load kvm_intel or kvm_amd";
                default -> "cannot open " + dev + ": " + Errno.describe(e);
            });
        }
        int version = LibC.ioctl(fd, KVM_GET_API_VERSION, 0);
        if (version != KVM_API_VERSION) {
            int e = version < 0 ? LibC.errno() : 0;
            LibC.close(fd);
            throw new KvmUnavailableException("KVM_GET_API_VERSION", e, version < 0
                    ? dev + " is not a KVM device (" + Errno.describe(e) + ")"
                    : dev + " speaks KVM API " + version + ", minivmm needs " + KVM_API_VERSION);
        }
        Kvm kvm = new Kvm(dev, fd);
        for (Cap c : REQUIRED) {
            if (kvm.checkExtension(c) <= 0) {
                kvm.close();
                throw new KvmUnavailableException("KVM_CHECK_EXTENSION", 0,
                        "this kernel's KVM lacks the capability KVM_CAP_" + c + ", which minivmm needs: use a newer kernel");
            }
        }
        return kvm;
    }

    private int fd() {
        if (fd < 0) throw new IllegalStateException("Kvm is closed");
        return fd;
    }

    /** KVM_GET_API_VERSION (always 12 once open). */
    public int apiVersion() {
        return check("KVM_GET_API_VERSION", LibC.ioctl(fd(), KVM_GET_API_VERSION, 0));
    }

    /** KVM_CHECK_EXTENSION: 0 when absent, otherwise a capability-specific positive value. */
    public int checkExtension(Cap cap) {
        return check("KVM_CHECK_EXTENSION", LibC.ioctl(fd(), KVM_CHECK_EXTENSION, cap.number));
    }

    public boolean has(Cap cap) { return checkExtension(cap) > 0; }

    /** KVM_GET_VCPU_MMAP_SIZE: the size of each vCPU's {@code kvm_run} mapping. */
    public int vcpuMmapSize() { return vcpuMmapSize; }

    /** KVM_GET_SUPPORTED_CPUID: the leaves KVM can present to a guest. */
    public List<CpuidEntry> supportedCpuid() { return cpuidList(KVM_GET_SUPPORTED_CPUID, "KVM_GET_SUPPORTED_CPUID"); }

    /** KVM_GET_EMULATED_CPUID: features KVM emulates in software. */
    public List<CpuidEntry> emulatedCpuid() { return cpuidList(KVM_GET_EMULATED_CPUID, "KVM_GET_EMULATED_CPUID"); }

    private List<CpuidEntry> cpuidList(long ioctl, String name) {
        // Room for 256 entries first (10 KiB): hosts list 60-100, and a call that is too small
        // costs a whole ioctl (~0.5 ms here, as KVM builds the list before it checks the size).
        return cpuidList(ioctl, name, 256);
    }

    /** KVM_GET_SUPPORTED_CPUID asked with room for {@code first} entries, doubled while KVM says E2BIG (tests). */
    List<CpuidEntry> supportedCpuid(int first) { return cpuidList(KVM_GET_SUPPORTED_CPUID, "KVM_GET_SUPPORTED_CPUID", first); }

    private List<CpuidEntry> cpuidList(long ioctl, String name, int first) {
        for (int n = first; ; n *= 2) {
            try (NativeBuffer nb = new NativeBuffer(SIZEOF_KVM_CPUID2 + n * SIZEOF_KVM_CPUID_ENTRY2)) {
                ByteBuffer b = nb.cleared(nb.size());
                b.putInt(0, n);
                // NATIVE: buffer holds a kvm_cpuid2 header with room for n entries; KVM writes at most nent.
                int r = LibC.ioctl(fd(), ioctl, nb.address());
                if (r < 0) {
                    int e = LibC.errno();
                    if (e == Errno.E2BIG && n < 4096) continue;
                    throw new KvmException(name, e);
                }
                int nent = b.getInt(0);
                List<CpuidEntry> out = new ArrayList<>(nent);
                for (int i = 0; i < nent; i++) out.add(Structs.decodeCpuid(b, SIZEOF_KVM_CPUID2 + i * SIZEOF_KVM_CPUID_ENTRY2));
                return out;
            }
        }
    }

    /** KVM_GET_MSR_INDEX_LIST: the MSRs that KVM_GET_MSRS/KVM_SET_MSRS accept (what a snapshot saves). */
    public int[] msrIndexList() { return msrList(KVM_GET_MSR_INDEX_LIST, "KVM_GET_MSR_INDEX_LIST"); }

    /**
     * KVM_GET_MSR_FEATURE_INDEX_LIST: the feature MSRs (e.g. IA32_ARCH_CAPABILITIES) whose host
     * values KVM reports on the system fd; empty when KVM lacks KVM_CAP_GET_MSR_FEATURES.
     */
    public int[] msrFeatureIndexList() {
        if (!has(Cap.GET_MSR_FEATURES)) return new int[0];
        return msrList(KVM_GET_MSR_FEATURE_INDEX_LIST, "KVM_GET_MSR_FEATURE_INDEX_LIST");
    }

    private int[] msrList(long ioctl, String name) {
        for (int n = 256; ; n *= 2) {
            try (NativeBuffer nb = new NativeBuffer(SIZEOF_KVM_MSR_LIST + n * 4)) {
                ByteBuffer b = nb.cleared(nb.size());
                b.putInt(0, n);
                // NATIVE: buffer holds a kvm_msr_list header with room for n indices.
                int r = LibC.ioctl(fd(), ioctl, nb.address());
                if (r < 0) {
                    int e = LibC.errno();
                    if (e == Errno.E2BIG && n < 65536) continue;
                    throw new KvmException(name, e);
                }
                int[] out = new int[Math.min(b.getInt(0), n)];
                for (int i = 0; i < out.length; i++) out[i] = b.getInt(4 + i * 4);
                return out;
            }
        }
    }

    /** The MSR index list, read once per process (it is the host's): what {@link VcpuFd#saveState()} saves. */
    private static volatile int[] msrListCache;

    private int[] savedMsrList() {
        int[] l = msrListCache;
        if (l == null) msrListCache = l = msrIndexList();
        return l;
    }

    /** KVM_CREATE_VM. The VM keeps its own fd; this Kvm may be closed afterwards. */
    public VmFd createVm() {
        int vm = LibC.ioctl(fd(), KVM_CREATE_VM, 0);
        if (vm < 0) throw new KvmException("KVM_CREATE_VM", LibC.errno());
        int[] msrs;
        try {
            msrs = savedMsrList();
        } catch (KvmException e) {
            msrs = new int[0]; // a vCPU snapshot then saves no MSRs
        }
        return new VmFd(vm, vcpuMmapSize, msrs, has(Cap.TSC_CONTROL) || has(Cap.GET_TSC_KHZ));
    }

    static int check(String call, int r) {
        if (r < 0) throw new KvmException(call, LibC.errno());
        return r;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
        }
    }
}
