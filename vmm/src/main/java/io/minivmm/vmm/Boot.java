package io.minivmm.vmm;

import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.x86.CpuidEntry;
import io.minivmm.kvm.x86.Fpu;
import io.minivmm.kvm.x86.MsrEntry;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.vmm.arch.x86.BootCpu;
import io.minivmm.vmm.arch.x86.BootLayout;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.arch.x86.CpuidPolicy;
import io.minivmm.vmm.arch.x86.GuestAddressSpace;
import io.minivmm.vmm.arch.x86.X86;
import io.minivmm.vmm.loader.BootPlan;
import io.minivmm.vmm.loader.GuestRam;
import io.minivmm.vmm.loader.ImageFormat;
import io.minivmm.vmm.loader.KernelLoader;
import io.minivmm.vmm.loader.LoadOptions;
import io.minivmm.vmm.machine.Machine;
import io.minivmm.vmm.machine.ResourceAllocator;
import io.minivmm.vmm.memory.GuestMemory;
import io.minivmm.vmm.paging.AddressSpaceError;
import io.minivmm.vmm.paging.MappingFlags;
import io.minivmm.vmm.paging.PagingError;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Booting an image on a built machine: read and detect it, load it around what the platform
 * reserved, and set up the boot vCPU (mode, GDT, page tables, entry registers). The loader never
 * touches a vCPU; this class is where its plan meets one.
 */
final class Boot {
    /** The embedded demo guest: 64-bit code linked at 1 MiB. */
    static final String DEMO_RESOURCE = "/guests/demo.bin";
    static final long DEMO_LOAD = 0x100000;
    /** Frames for page tables and alloc areas beyond the vCPU area: the top 2 MiB of low RAM, if the plan left it free. */
    private static final long POOL_SIZE = 2 << 20;

    private Boot() {}

    /** The image bytes, its name and its format (detected unless forced). */
    record Image(String name, byte[] bytes, ImageFormat format, boolean demo) {
        boolean linux() { return format == ImageFormat.BZIMAGE || format == ImageFormat.PVH; }
    }

    /** The image: --kernel, else sector 0 of the first --disk (a PC's disk boot), else the embedded demo. */
    static Image readImage(VmBuilder cfg, io.minivmm.vmm.storage.Disks disks) throws IOException {
        if (cfg.image == null && cfg.kernel == null && !disks.all().isEmpty()) return bootSector(disks.all().get(0));
        if (cfg.image == null && cfg.kernel == null) {
            try (InputStream in = Vm.class.getResourceAsStream(DEMO_RESOURCE)) {
                if (in == null) throw new IOException("the embedded demo guest " + DEMO_RESOURCE + " is missing from the jar");
                return new Image("demo", in.readAllBytes(), ImageFormat.RAW, true);
            }
        }
        try {
            byte[] bytes = cfg.image != null ? cfg.image : KernelLoader.readImage(cfg.kernel);
            String name = cfg.image != null ? cfg.imageName : cfg.kernel.toString();
            ImageFormat f = ImageFormat.parse(cfg.format);
            return new Image(name, bytes, f == ImageFormat.AUTO ? ImageFormat.detect(bytes) : f, false);
        } catch (io.minivmm.vmm.loader.ImageException e) {
            throw new ImageException(e.getMessage());
        }
    }

    /** Sector 0 of {@code disk}, which must end with the boot signature 0x55AA. */
    private static Image bootSector(io.minivmm.vmm.storage.Disks.Disk disk) throws IOException {
        byte[] sector = new byte[io.minivmm.vmm.storage.DiskImage.SECTOR];
        disk.image().read(0, sector, 0, sector.length);
        String name = disk.spec().file().toString();
        if ((sector[510] & 0xff) != 0x55 || (sector[511] & 0xff) != 0xaa) {
            throw new ImageException(String.format("--disk %s: not bootable: sector 0 ends with 0x%02x%02x, not the boot signature 0x55aa",
                    name, sector[510] & 0xff, sector[511] & 0xff));
        }
        return new Image(name, sector, ImageFormat.BOOTSECTOR, false);
    }

    /** Whether the run boots in real mode and so gets the BIOS (IVT, services, ROM). */
    static boolean wantsBios(VmBuilder cfg, Image img) {
        if (img == null) return false; // a restored machine: its snapshot says what it has
        return img.format() == ImageFormat.BOOTSECTOR || img.format() == ImageFormat.RAW && !img.demo() && cfg.mode == CpuMode.REAL;
    }

    /**
     * With the BIOS, the boot CPU starts in its POST (which sets up the interrupt controllers as a
     * PC's firmware does) and POST jumps to the image's entry.
     */
    static void enterThroughBios(Machine m, BootPlan plan) {
        io.minivmm.vmm.pc.BiosPart bios = m.part(io.minivmm.vmm.pc.BiosPart.class);
        if (bios == null || plan.mode() != CpuMode.REAL) return;
        BootPlan.BootRegisters br = plan.registers();
        bios.setEntry(br.cs(), (int) br.rip(), (int) br.rax());
        VcpuFd v = m.vcpus().get(0);
        io.minivmm.kvm.x86.Sregs s = v.getSregs();
        v.setSregs(s.toBuilder().cs(s.cs().withBaseSelector(io.minivmm.vmm.devices.bios.BiosRom.BASE, io.minivmm.vmm.devices.bios.BiosRom.SEGMENT)).build());
        v.setRegs(v.getRegs().with(Regs.Reg.RIP, io.minivmm.vmm.devices.bios.BiosRom.POST));
    }

    private static LoadOptions loadOptions(VmBuilder cfg, Image img, List<String> platformCmdline) throws IOException {
        String cmdline = cfg.cmdline != null ? cfg.cmdline : !img.linux() ? ""
                : cfg.virtioConsole ? Vm.DEFAULT_LINUX_HVC_CMDLINE : Vm.DEFAULT_LINUX_CMDLINE;
        // Devices the guest can only find through the command line (virtio-mmio on Linux).
        if (img.linux()) for (String frag : platformCmdline) cmdline = cmdline.isEmpty() ? frag : cmdline + " " + frag;
        LoadOptions o = LoadOptions.cmdline(cmdline);
        // streamed into guest RAM when the loader commits: a multi-GiB initrd never sits on the heap
        if (cfg.initrd != null) o = o.withInitrd(io.minivmm.vmm.loader.ModuleSource.of(cfg.initrd), cfg.initrd.getFileName().toString());
        if (img.demo()) o = o.withRaw(DEMO_LOAD, DEMO_LOAD, CpuMode.LONG);
        else if (img.format() == ImageFormat.RAW) o = o.withRaw(cfg.loadAddr == null ? -1 : cfg.loadAddr, cfg.entry, cfg.mode);
        return o;
    }

    /** Loads the image into the machine's RAM, around every range the platform's parts claimed. */
    static BootPlan load(VmBuilder cfg, Image img, Machine m) throws IOException {
        GuestMemory mem = m.memory();
        ResourceAllocator res = m.resources();
        GuestRam ram = new GuestRam() {
            @Override
            public long size() { return mem.size(); }

            @Override
            public List<long[]> ramRanges() { return res.ram(); }

            @Override
            public void write(long gpa, byte[] src, int off, int len) { mem.write(gpa, src, off, len); }

            @Override
            public List<BootPlan.Region> reservedRanges() {
                List<BootPlan.Region> out = new ArrayList<>();
                for (ResourceAllocator.Range r : res.claims(ResourceAllocator.Use.FIRMWARE)) {
                    out.add(new BootPlan.Region(r.owner(), r.base(), r.size(), 0, true));
                }
                return out;
            }

            @Override
            public List<BootPlan.E820Entry> memoryMap() {
                List<BootPlan.E820Entry> out = new ArrayList<>();
                for (long[] e : res.memoryMap()) out.add(new BootPlan.E820Entry(e[0], e[1], (int) e[2]));
                return out;
            }
        };
        try {
            BootPlan plan = KernelLoader.load(img.format(), img.bytes(), ram, loadOptions(cfg, img, m.platform().kernelCmdline()));
            Log.debug("{}: {} entry 0x{} in {} mode", img.name(), plan.format(), Long.toHexString(plan.entry()), plan.mode());
            return plan;
        } catch (io.minivmm.vmm.loader.ImageException e) {
            throw new ImageException(e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // the initrd could not be read while it was streamed in: 66
        }
    }

    /** Sets up the boot vCPU for the plan; returns the long-mode address space it built (else null). */
    static GuestAddressSpace bootCpu(VmBuilder cfg, Machine m, BootPlan plan, String name) {
        VcpuFd v = m.vcpus().get(0);
        GuestMemory mem = m.memory();
        List<CpuidEntry> cpuid = m.bootCpuid();
        CpuMode mode = plan.mode();
        long cr3 = 0;
        GuestAddressSpace space = null;
        // the GDT, TSS, IDT and page tables go where the loader kept room for them (plan.vcpuArea())
        if (mode != CpuMode.REAL) BootCpu.writeTables(mem, mode, plan.vcpuArea());
        if (mode == CpuMode.LONG) {
            space = buildAddressSpace(cfg, plan, mem, cpuid, name);
            cr3 = space.cr3();
        }
        BootPlan.BootRegisters br = plan.registers();
        v.setSregs(BootCpu.configure(v.getSregs(), mode, cr3, CpuidPolicy.hasNx(cpuid), br.cs(), plan.vcpuArea()));
        Regs regs = Regs.ZERO.with(Regs.Reg.RIP, br.rip()).with(Regs.Reg.RAX, br.rax()).with(Regs.Reg.RBX, br.rbx())
                .with(Regs.Reg.RDX, br.rdx()).with(Regs.Reg.RSI, br.rsi());
        if (mode != CpuMode.REAL) regs = regs.with(Regs.Reg.RSP, BootLayout.BOOT_STACK_TOP);
        v.setRegs(regs);
        v.setFpu(Fpu.reset());
        v.setMsrs(List.of(new MsrEntry(X86.MSR_IA32_MISC_ENABLE, X86.MISC_ENABLE_FAST_STRING)));
        return space;
    }

    private static GuestAddressSpace buildAddressSpace(VmBuilder cfg, BootPlan plan, GuestMemory mem, List<CpuidEntry> cpuid,
                                                       String name) {
        List<GuestAddressSpace.Area> areas = new ArrayList<>();
        MappingFlags rwx = MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.EXECUTE);
        for (BootPlan.LinearMapping lm : plan.mappings()) {
            if (lm.vaddr() != lm.paddr()) areas.add(GuestAddressSpace.Area.linear(lm.vaddr(), lm.paddr(), lm.size(), rwx));
        }
        areas.addAll(cfg.areas);
        List<long[]> ram = new ArrayList<>();
        for (var g : mem.regions()) ram.add(new long[] {g.base(), g.end()});
        long lowEnd = mem.regions().get(0).end();
        long[] pool = {lowEnd - POOL_SIZE, lowEnd};
        boolean poolFree = lowEnd >= 4 * POOL_SIZE;
        for (var r : plan.writes()) {
            if (Long.compareUnsigned(r.gpa(), pool[1]) < 0 && Long.compareUnsigned(r.end(), pool[0]) > 0) {
                poolFree = false;
                break;
            }
        }
        try {
            return GuestAddressSpace.build(mem, ram, areas, CpuidPolicy.has1GPages(cpuid), poolFree ? pool : null,
                    plan.vcpuArea());
        } catch (PagingError | AddressSpaceError e) {
            throw new ImageException(name + ": cannot build the boot page tables: " + e.getMessage());
        }
    }
}
