package io.minivmm.vmm.machine;

import java.util.ArrayList;
import java.util.List;

/**
 * What the platform tables describe, collected from the parts as they attach: the tables'
 * writers (MP table, BIOS data area, ACPI, the Linux command line) read it in
 * {@link Part#finish}. Also carries the CPU identity the tables repeat.
 */
public final class PlatformInfo {
    /** A legacy serial port ({@code index} 0 = COM1). */
    public record SerialPort(int index, int ioBase, int irq) { }

    /** A memory-mapped device the guest finds through the tables (e.g. virtio-mmio). */
    public record MmioDevice(String kind, String name, long base, long size, int irq) { }

    /** A port-I/O device the ACPI DSDT describes (e.g. an IDE channel). */
    public record IoDevice(String kind, String name, int ioBase, int ioLength, int irq) { }

    private final int cpus;
    private final int cpuSignature;
    private final int cpuFeatures;
    private final List<SerialPort> serialPorts = new ArrayList<>();
    private final List<MmioDevice> mmioDevices = new ArrayList<>();
    private final List<IoDevice> ioDevices = new ArrayList<>();
    private final List<String> cmdline = new ArrayList<>();
    private final List<String> hardDisks = new ArrayList<>();

    /**
     * @param cpuSignature CPUID leaf 1 EAX of the boot CPU
     * @param cpuFeatures  CPUID leaf 1 EDX of the boot CPU
     */
    public PlatformInfo(int cpus, int cpuSignature, int cpuFeatures) {
        this.cpus = cpus;
        this.cpuSignature = cpuSignature;
        this.cpuFeatures = cpuFeatures;
    }

    public int cpus() { return cpus; }

    public int cpuSignature() { return cpuSignature; }

    public int cpuFeatures() { return cpuFeatures; }

    public synchronized void addSerialPort(SerialPort p) { serialPorts.add(p); }

    public synchronized void addMmioDevice(MmioDevice d) { mmioDevices.add(d); }

    public synchronized void addIoDevice(IoDevice d) { ioDevices.add(d); }

    /** A hard disk the firmware reports (BIOS data area 0x475), named as in messages ("ide0 master"). */
    public synchronized void addHardDisk(String name) { hardDisks.add(name); }

    /** A fragment the Linux command line must carry for the guest to find a device. */
    public synchronized void addKernelCmdline(String fragment) { cmdline.add(fragment); }

    public synchronized List<SerialPort> serialPorts() { return List.copyOf(serialPorts); }

    public synchronized List<MmioDevice> mmioDevices() { return List.copyOf(mmioDevices); }

    public synchronized List<IoDevice> ioDevices() { return List.copyOf(ioDevices); }

    public synchronized List<String> hardDisks() { return List.copyOf(hardDisks); }

    public synchronized List<String> kernelCmdline() { return List.copyOf(cmdline); }
}
