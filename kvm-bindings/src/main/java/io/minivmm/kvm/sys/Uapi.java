package io.minivmm.kvm.sys;

import static io.minivmm.kvm.sys.Ioctl.io;
import static io.minivmm.kvm.sys.Ioctl.ior;
import static io.minivmm.kvm.sys.Ioctl.iow;
import static io.minivmm.kvm.sys.Ioctl.iowr;

/**
 * KVM uapi (include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h) for x86-64: ioctl numbers,
 * exit reasons, struct sizes and field offsets, with their C names. Checked against the C headers
 * by {@code UapiLayoutTest}, which compiles and runs native-stubs' {@code kvm-layout}.
 */
public final class Uapi {
    private Uapi() {}

    /** kvm.h: KVMIO, the ioctl type of every KVM ioctl. */
    public static final int KVMIO = 0xAE;
    /** kvm.h: the only KVM API version there has ever been. */
    public static final int KVM_API_VERSION = 12;

    // ---- struct sizes (x86-64) ----
    public static final int SIZEOF_KVM_RUN = 2352;
    public static final int SIZEOF_KVM_REGS = 144;
    public static final int SIZEOF_KVM_SEGMENT = 24;
    public static final int SIZEOF_KVM_DTABLE = 16;
    public static final int SIZEOF_KVM_SREGS = 312;
    public static final int SIZEOF_KVM_FPU = 416;
    public static final int SIZEOF_KVM_MSR_ENTRY = 16;
    public static final int SIZEOF_KVM_MSRS = 8;
    public static final int SIZEOF_KVM_MSR_LIST = 4;
    public static final int SIZEOF_KVM_CPUID_ENTRY2 = 40;
    public static final int SIZEOF_KVM_CPUID2 = 8;
    public static final int SIZEOF_KVM_LAPIC_STATE = 1024;
    public static final int SIZEOF_KVM_MP_STATE = 4;
    public static final int SIZEOF_KVM_VCPU_EVENTS = 64;
    public static final int SIZEOF_KVM_USERSPACE_MEMORY_REGION = 32;
    public static final int SIZEOF_KVM_IRQ_LEVEL = 8;
    public static final int SIZEOF_KVM_PIT_CONFIG = 64;
    public static final int SIZEOF_KVM_IRQFD = 32;
    public static final int SIZEOF_KVM_IOEVENTFD = 64;
    public static final int SIZEOF_KVM_DIRTY_LOG = 16;
    public static final int SIZEOF_KVM_CLOCK_DATA = 48;
    public static final int SIZEOF_KVM_ENABLE_CAP = 104;
    public static final int SIZEOF_KVM_GUEST_DEBUG = 72;
    public static final int SIZEOF_KVM_DEBUGREGS = 128;
    public static final int SIZEOF_KVM_TRANSLATION = 24;
    /** The fixed part; KVM_GET_XSAVE2 may use more (KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM). */
    public static final int SIZEOF_KVM_XSAVE = 4096;
    public static final int SIZEOF_KVM_XCRS = 392;
    public static final int SIZEOF_KVM_XCR = 16;
    public static final int SIZEOF_KVM_IRQCHIP = 520;
    public static final int SIZEOF_KVM_PIC_STATE = 16;
    public static final int SIZEOF_KVM_IOAPIC_STATE = 216;
    public static final int SIZEOF_KVM_PIT_CHANNEL_STATE = 24;
    public static final int SIZEOF_KVM_PIT_STATE2 = 112;
    public static final int SIZEOF_KVM_CLEAR_DIRTY_LOG = 24;

    // ---- ioctls: system (/dev/kvm) ----
    public static final long KVM_GET_API_VERSION = io(KVMIO, 0x00);
    public static final long KVM_CREATE_VM = io(KVMIO, 0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr(KVMIO, 0x02, SIZEOF_KVM_MSR_LIST);
    public static final long KVM_CHECK_EXTENSION = io(KVMIO, 0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(KVMIO, 0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(KVMIO, 0x05, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_EMULATED_CPUID = iowr(KVMIO, 0x09, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_MSR_FEATURE_INDEX_LIST = iowr(KVMIO, 0x0a, SIZEOF_KVM_MSR_LIST);
    // ---- ioctls: VM ----
    public static final long KVM_CREATE_VCPU = io(KVMIO, 0x41);
    public static final long KVM_GET_DIRTY_LOG = iow(KVMIO, 0x42, SIZEOF_KVM_DIRTY_LOG);
    public static final long KVM_SET_USER_MEMORY_REGION = iow(KVMIO, 0x46, SIZEOF_KVM_USERSPACE_MEMORY_REGION);
    public static final long KVM_SET_TSS_ADDR = io(KVMIO, 0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = iow(KVMIO, 0x48, 8);
    public static final long KVM_CREATE_IRQCHIP = io(KVMIO, 0x60);
    public static final long KVM_IRQ_LINE = iow(KVMIO, 0x61, SIZEOF_KVM_IRQ_LEVEL);
    public static final long KVM_IRQ_LINE_STATUS = iowr(KVMIO, 0x67, SIZEOF_KVM_IRQ_LEVEL);
    public static final long KVM_IRQFD = iow(KVMIO, 0x76, SIZEOF_KVM_IRQFD);
    public static final long KVM_CREATE_PIT2 = iow(KVMIO, 0x77, SIZEOF_KVM_PIT_CONFIG);
    public static final long KVM_IOEVENTFD = iow(KVMIO, 0x79, SIZEOF_KVM_IOEVENTFD);
    public static final long KVM_SET_CLOCK = iow(KVMIO, 0x7b, SIZEOF_KVM_CLOCK_DATA);
    public static final long KVM_GET_CLOCK = ior(KVMIO, 0x7c, SIZEOF_KVM_CLOCK_DATA);
    public static final long KVM_ENABLE_CAP = iow(KVMIO, 0xa3, SIZEOF_KVM_ENABLE_CAP);
    public static final long KVM_GET_IRQCHIP = iowr(KVMIO, 0x62, SIZEOF_KVM_IRQCHIP);
    /** kvm.h: _IOR although userspace writes it, a historical accident the number keeps. */
    public static final long KVM_SET_IRQCHIP = ior(KVMIO, 0x63, SIZEOF_KVM_IRQCHIP);
    public static final long KVM_GET_PIT2 = ior(KVMIO, 0x9f, SIZEOF_KVM_PIT_STATE2);
    public static final long KVM_SET_PIT2 = iow(KVMIO, 0xa0, SIZEOF_KVM_PIT_STATE2);
    public static final long KVM_CLEAR_DIRTY_LOG = iowr(KVMIO, 0xc0, SIZEOF_KVM_CLEAR_DIRTY_LOG);
    // ---- ioctls: vCPU ----
    public static final long KVM_RUN = io(KVMIO, 0x80);
    public static final long KVM_GET_REGS = ior(KVMIO, 0x81, SIZEOF_KVM_REGS);
    public static final long KVM_SET_REGS = iow(KVMIO, 0x82, SIZEOF_KVM_REGS);
    public static final long KVM_GET_SREGS = ior(KVMIO, 0x83, SIZEOF_KVM_SREGS);
    public static final long KVM_SET_SREGS = iow(KVMIO, 0x84, SIZEOF_KVM_SREGS);
    public static final long KVM_GET_MSRS = iowr(KVMIO, 0x88, SIZEOF_KVM_MSRS);
    public static final long KVM_SET_MSRS = iow(KVMIO, 0x89, SIZEOF_KVM_MSRS);
    public static final long KVM_SET_SIGNAL_MASK = iow(KVMIO, 0x8b, 4);
    public static final long KVM_GET_FPU = ior(KVMIO, 0x8c, SIZEOF_KVM_FPU);
    public static final long KVM_SET_FPU = iow(KVMIO, 0x8d, SIZEOF_KVM_FPU);
    public static final long KVM_GET_LAPIC = ior(KVMIO, 0x8e, SIZEOF_KVM_LAPIC_STATE);
    public static final long KVM_SET_LAPIC = iow(KVMIO, 0x8f, SIZEOF_KVM_LAPIC_STATE);
    public static final long KVM_SET_CPUID2 = iow(KVMIO, 0x90, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_CPUID2 = iowr(KVMIO, 0x91, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_MP_STATE = ior(KVMIO, 0x98, SIZEOF_KVM_MP_STATE);
    public static final long KVM_SET_MP_STATE = iow(KVMIO, 0x99, SIZEOF_KVM_MP_STATE);
    public static final long KVM_GET_VCPU_EVENTS = ior(KVMIO, 0x9f, SIZEOF_KVM_VCPU_EVENTS);
    public static final long KVM_SET_VCPU_EVENTS = iow(KVMIO, 0xa0, SIZEOF_KVM_VCPU_EVENTS);
    public static final long KVM_SET_TSC_KHZ = io(KVMIO, 0xa2);
    public static final long KVM_GET_TSC_KHZ = io(KVMIO, 0xa3);
    public static final long KVM_TRANSLATE = iowr(KVMIO, 0x85, SIZEOF_KVM_TRANSLATION);
    public static final long KVM_SET_GUEST_DEBUG = iow(KVMIO, 0x9b, SIZEOF_KVM_GUEST_DEBUG);
    public static final long KVM_GET_DEBUGREGS = ior(KVMIO, 0xa1, SIZEOF_KVM_DEBUGREGS);
    public static final long KVM_SET_DEBUGREGS = iow(KVMIO, 0xa2, SIZEOF_KVM_DEBUGREGS);
    public static final long KVM_GET_XSAVE = ior(KVMIO, 0xa4, SIZEOF_KVM_XSAVE);
    public static final long KVM_SET_XSAVE = iow(KVMIO, 0xa5, SIZEOF_KVM_XSAVE);
    public static final long KVM_GET_XSAVE2 = ior(KVMIO, 0xcf, SIZEOF_KVM_XSAVE);
    public static final long KVM_GET_XCRS = ior(KVMIO, 0xa6, SIZEOF_KVM_XCRS);
    public static final long KVM_SET_XCRS = iow(KVMIO, 0xa7, SIZEOF_KVM_XCRS);
    public static final long KVM_KVMCLOCK_CTRL = io(KVMIO, 0xad);

    // ---- exit reasons (kvm.h KVM_EXIT_*) ----
    public static final int KVM_EXIT_UNKNOWN = 0, KVM_EXIT_EXCEPTION = 1, KVM_EXIT_IO = 2, KVM_EXIT_HYPERCALL = 3,
            KVM_EXIT_DEBUG = 4, KVM_EXIT_HLT = 5, KVM_EXIT_MMIO = 6, KVM_EXIT_IRQ_WINDOW_OPEN = 7,
            KVM_EXIT_SHUTDOWN = 8, KVM_EXIT_FAIL_ENTRY = 9, KVM_EXIT_INTR = 10, KVM_EXIT_NMI = 16,
            KVM_EXIT_INTERNAL_ERROR = 17, KVM_EXIT_SYSTEM_EVENT = 24;
    public static final int KVM_EXIT_IO_IN = 0, KVM_EXIT_IO_OUT = 1;
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1, KVM_INTERNAL_ERROR_SIMUL_EX = 2,
            KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1, KVM_SYSTEM_EVENT_RESET = 2;

    // ---- memory region flags ----
    public static final int KVM_MEM_LOG_DIRTY_PAGES = 1, KVM_MEM_READONLY = 2;
    // ---- MP states ----
    public static final int KVM_MP_STATE_RUNNABLE = 0, KVM_MP_STATE_UNINITIALIZED = 1,
            KVM_MP_STATE_INIT_RECEIVED = 2, KVM_MP_STATE_HALTED = 3, KVM_MP_STATE_SIPI_RECEIVED = 4;
    // ---- misc flags ----
    public static final int KVM_VCPUEVENT_VALID_NMI_PENDING = 1, KVM_VCPUEVENT_VALID_SIPI_VECTOR = 2,
            KVM_VCPUEVENT_VALID_SHADOW = 4, KVM_VCPUEVENT_VALID_SMM = 8, KVM_VCPUEVENT_VALID_PAYLOAD = 0x10,
            KVM_VCPUEVENT_VALID_TRIPLE_FAULT = 0x20;
    /** asm/kvm.h KVM_MAX_XCRS: entries in kvm_xcrs. */
    public static final int KVM_MAX_XCRS = 16;
    public static final int KVM_IRQFD_FLAG_DEASSIGN = 1, KVM_IRQFD_FLAG_RESAMPLE = 2;
    public static final int IRQFD_FD = 0, IRQFD_GSI = 4, IRQFD_FLAGS = 8, IRQFD_RESAMPLEFD = 12;
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1, KVM_IOEVENTFD_FLAG_PIO = 2,
            KVM_IOEVENTFD_FLAG_DEASSIGN = 4;
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;
    public static final int KVM_IRQCHIP_PIC_MASTER = 0, KVM_IRQCHIP_PIC_SLAVE = 1, KVM_IRQCHIP_IOAPIC = 2,
            KVM_IOAPIC_NUM_PINS = 24;
    public static final int KVM_PIT_FLAGS_HPET_LEGACY = 1, KVM_PIT_FLAGS_SPEAKER_DATA_ON = 2;
    public static final int KVM_CLOCK_TSC_STABLE = 2, KVM_CLOCK_REALTIME = 4, KVM_CLOCK_HOST_TSC = 8;
    public static final int KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE = 1, KVM_DIRTY_LOG_INITIALLY_SET = 2;
    /** kvm.h / asm/kvm.h: kvm_guest_debug.control bits. */
    public static final int KVM_GUESTDBG_ENABLE = 0x1, KVM_GUESTDBG_SINGLESTEP = 0x2, KVM_GUESTDBG_USE_SW_BP = 0x10000,
            KVM_GUESTDBG_USE_HW_BP = 0x20000, KVM_GUESTDBG_INJECT_DB = 0x40000, KVM_GUESTDBG_INJECT_BP = 0x80000,
            KVM_GUESTDBG_BLOCKIRQ = 0x100000;

    // ---- struct kvm_run field offsets ----
    public static final int RUN_REQUEST_INTERRUPT_WINDOW = 0, RUN_IMMEDIATE_EXIT = 1, RUN_EXIT_REASON = 8,
            RUN_READY_FOR_INTERRUPT_INJECTION = 12, RUN_IF_FLAG = 13, RUN_FLAGS = 14, RUN_CR8 = 16,
            RUN_APIC_BASE = 24;
    /** The exit-reason union starts here. */
    public static final int RUN_UNION = 32;
    public static final int RUN_IO_DIRECTION = 32, RUN_IO_SIZE = 33, RUN_IO_PORT = 34, RUN_IO_COUNT = 36,
            RUN_IO_DATA_OFFSET = 40;
    public static final int RUN_MMIO_PHYS_ADDR = 32, RUN_MMIO_DATA = 40, RUN_MMIO_LEN = 48, RUN_MMIO_IS_WRITE = 52;
    public static final int RUN_FAIL_ENTRY_REASON = 32, RUN_FAIL_ENTRY_CPU = 40;
    public static final int RUN_HW_EXIT_REASON = 32;
    public static final int RUN_INTERNAL_SUBERROR = 32, RUN_INTERNAL_NDATA = 36, RUN_INTERNAL_DATA = 40;
    public static final int RUN_EMULATION_FAILURE_FLAGS = 40, RUN_EMULATION_FAILURE_INSN_SIZE = 48,
            RUN_EMULATION_FAILURE_INSN_BYTES = 49;
    /** kvm.h: KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES */
    public static final long KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES = 1;
    public static final int RUN_SYSTEM_EVENT_TYPE = 32, RUN_SYSTEM_EVENT_NDATA = 36, RUN_SYSTEM_EVENT_DATA = 40;
    public static final int RUN_DEBUG_EXCEPTION = 32, RUN_DEBUG_PC = 40, RUN_DEBUG_DR6 = 48, RUN_DEBUG_DR7 = 56;
    public static final int RUN_EX_EXCEPTION = 32, RUN_EX_ERROR_CODE = 36;
    /** kvm_valid_regs, kvm_dirty_regs and the sync-regs area (KVM_CAP_SYNC_REGS). */
    public static final int RUN_KVM_VALID_REGS = 288, RUN_KVM_DIRTY_REGS = 296, RUN_S = 304;
    /** KVM_SYNC_X86_REGS: KVM stores struct kvm_regs at {@link #RUN_S} on every exit. */
    public static final long KVM_SYNC_X86_REGS = 1;

    // ---- struct kvm_sregs offsets ----
    public static final int SREGS_CS = 0, SREGS_DS = 24, SREGS_ES = 48, SREGS_FS = 72, SREGS_GS = 96, SREGS_SS = 120,
            SREGS_TR = 144, SREGS_LDT = 168, SREGS_GDT = 192, SREGS_IDT = 208, SREGS_CR0 = 224, SREGS_CR2 = 232,
            SREGS_CR3 = 240, SREGS_CR4 = 248, SREGS_CR8 = 256, SREGS_EFER = 264, SREGS_APIC_BASE = 272,
            SREGS_INTERRUPT_BITMAP = 280;
    // ---- struct kvm_segment offsets ----
    public static final int SEG_BASE = 0, SEG_LIMIT = 8, SEG_SELECTOR = 12, SEG_TYPE = 14, SEG_PRESENT = 15,
            SEG_DPL = 16, SEG_DB = 17, SEG_S = 18, SEG_L = 19, SEG_G = 20, SEG_AVL = 21, SEG_UNUSABLE = 22;
    // ---- struct kvm_dtable offsets ----
    public static final int DTABLE_BASE = 0, DTABLE_LIMIT = 8;
    // ---- struct kvm_fpu offsets ----
    public static final int FPU_FPR = 0, FPU_FCW = 128, FPU_FSW = 130, FPU_FTWX = 132, FPU_LAST_OPCODE = 134,
            FPU_LAST_IP = 136, FPU_LAST_DP = 144, FPU_XMM = 152, FPU_MXCSR = 408;
    // ---- struct kvm_cpuid_entry2 offsets ----
    public static final int CPUID_FUNCTION = 0, CPUID_INDEX = 4, CPUID_FLAGS = 8, CPUID_EAX = 12, CPUID_EBX = 16,
            CPUID_ECX = 20, CPUID_EDX = 24;
    // ---- struct kvm_vcpu_events offsets ----
    public static final int EV_EXC_INJECTED = 0, EV_EXC_NR = 1, EV_EXC_HAS_ERROR_CODE = 2, EV_EXC_PENDING = 3,
            EV_EXC_ERROR_CODE = 4, EV_INT_INJECTED = 8, EV_INT_NR = 9, EV_INT_SOFT = 10, EV_INT_SHADOW = 11,
            EV_NMI_INJECTED = 12, EV_NMI_PENDING = 13, EV_NMI_MASKED = 14, EV_SIPI_VECTOR = 16, EV_FLAGS = 20,
            EV_SMI_SMM = 24, EV_SMI_PENDING = 25, EV_SMI_SMM_INSIDE_NMI = 26, EV_SMI_LATCHED_INIT = 27,
            EV_TRIPLE_FAULT_PENDING = 28, EV_EXC_HAS_PAYLOAD = 55, EV_EXC_PAYLOAD = 56;
    // ---- struct kvm_ioeventfd offsets ----
    public static final int IOEVENTFD_DATAMATCH = 0, IOEVENTFD_ADDR = 8, IOEVENTFD_LEN = 16, IOEVENTFD_FD = 20,
            IOEVENTFD_FLAGS = 24;
    // ---- struct kvm_clock_data offsets ----
    public static final int CLOCK_CLOCK = 0, CLOCK_FLAGS = 8, CLOCK_REALTIME = 16, CLOCK_HOST_TSC = 24;
    // ---- struct kvm_guest_debug offsets ----
    public static final int GUEST_DEBUG_CONTROL = 0, GUEST_DEBUG_DEBUGREG = 8;
    // ---- struct kvm_debugregs offsets ----
    public static final int DEBUGREGS_DB = 0, DEBUGREGS_DR6 = 32, DEBUGREGS_DR7 = 40, DEBUGREGS_FLAGS = 48;
    // ---- struct kvm_translation offsets ----
    public static final int TRANSLATION_LINEAR_ADDRESS = 0, TRANSLATION_PHYSICAL_ADDRESS = 8, TRANSLATION_VALID = 16,
            TRANSLATION_WRITEABLE = 17, TRANSLATION_USERMODE = 18;
    // ---- struct kvm_xcrs / kvm_xcr offsets ----
    public static final int XCRS_NR_XCRS = 0, XCRS_FLAGS = 4, XCRS_XCRS = 8, XCR_XCR = 0, XCR_VALUE = 8;
    // ---- struct kvm_irqchip, kvm_pic_state, kvm_ioapic_state offsets ----
    public static final int IRQCHIP_CHIP_ID = 0, IRQCHIP_CHIP = 8;
    public static final int PIC_LAST_IRR = 0, PIC_IRR = 1, PIC_IMR = 2, PIC_ISR = 3, PIC_PRIORITY_ADD = 4,
            PIC_IRQ_BASE = 5, PIC_READ_REG_SELECT = 6, PIC_POLL = 7, PIC_SPECIAL_MASK = 8, PIC_INIT_STATE = 9,
            PIC_AUTO_EOI = 10, PIC_ROTATE_ON_AUTO_EOI = 11, PIC_SPECIAL_FULLY_NESTED_MODE = 12, PIC_INIT4 = 13,
            PIC_ELCR = 14, PIC_ELCR_MASK = 15;
    public static final int IOAPIC_BASE_ADDRESS = 0, IOAPIC_IOREGSEL = 8, IOAPIC_ID = 12, IOAPIC_IRR = 16,
            IOAPIC_REDIRTBL = 24;
    // ---- struct kvm_pit_state2, kvm_pit_channel_state offsets ----
    public static final int PIT_CHANNELS = 0, PIT_FLAGS = 72;
    public static final int PITCH_COUNT = 0, PITCH_LATCHED_COUNT = 4, PITCH_COUNT_LATCHED = 6,
            PITCH_STATUS_LATCHED = 7, PITCH_STATUS = 8, PITCH_READ_STATE = 9, PITCH_WRITE_STATE = 10,
            PITCH_WRITE_LATCH = 11, PITCH_RW_MODE = 12, PITCH_MODE = 13, PITCH_BCD = 14, PITCH_GATE = 15,
            PITCH_COUNT_LOAD_TIME = 16;
    // ---- struct kvm_clear_dirty_log offsets ----
    public static final int CLEAR_DIRTY_SLOT = 0, CLEAR_DIRTY_NUM_PAGES = 4, CLEAR_DIRTY_FIRST_PAGE = 8,
            CLEAR_DIRTY_BITMAP = 16;
}
