package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

/**
 * What the user asked for besides the image.
 *
 * @param cmdline     kernel command line, or null for none
 * @param initrd      initial ramdisk (Linux initrd; PVH/Multiboot module 0), or null; a file is
 *                    streamed into guest RAM, never read whole onto the heap
 * @param initrdName  the string given with module 0 for Multiboot (e.g. the file name); null: "initrd"
 * @param rawLoadAddr {@code --load-addr} for {@link ImageFormat#RAW}
 * @param rawEntry    {@code --entry} for {@link ImageFormat#RAW}; null: the load address
 * @param rawMode     {@code --mode} for {@link ImageFormat#RAW}
 */
public record LoadOptions(String cmdline, ModuleSource initrd, String initrdName,
                          Long rawLoadAddr, Long rawEntry, CpuMode rawMode) {

    public static LoadOptions none() {
        return new LoadOptions(null, null, null, null, null, null);
    }

    public static LoadOptions cmdline(String cmdline) {
        return new LoadOptions(cmdline, null, null, null, null, null);
    }

    public LoadOptions withInitrd(byte[] bytes, String name) {
        return withInitrd(bytes == null ? null : ModuleSource.of(bytes), name);
    }

    public LoadOptions withInitrd(ModuleSource source, String name) {
        return new LoadOptions(cmdline, source, name, rawLoadAddr, rawEntry, rawMode);
    }

    public LoadOptions withRaw(long loadAddr, Long entry, CpuMode mode) {
        return new LoadOptions(cmdline, initrd, initrdName, loadAddr, entry, mode);
    }

    boolean hasInitrd() {
        return initrd != null && initrd.size() > 0;
    }

    String initrdString() {
        return initrdName == null ? "initrd" : initrdName;
    }
}
