package io.minivmm.vmm.storage;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One {@code --disk FILE[,if=ide|virtio][,ro]} argument: the image file, the controller it
 * attaches to, and whether the guest may write it.
 *
 * @param file      the image (raw, a multiple of 512 bytes)
 * @param iface     the controller: {@link Interface#VIRTIO} (the default) or {@link Interface#IDE}
 * @param readOnly  {@code ro}: the guest's writes fail (as the device reports a write-protected medium)
 */
public record DiskSpec(Path file, Interface iface, boolean readOnly) {
    /** The controller a disk is attached to. */
    public enum Interface {
        /** A virtio-blk device over MMIO. */
        VIRTIO,
        /** An ATA disk on the IDE channels (primary master, slave, then secondary). */
        IDE
    }

    /**
     * Parses {@code FILE[,if=ide|virtio][,ro]}. A file name containing commas is written with
     * each comma doubled, as QEMU does ({@code a,,b.img}).
     *
     * @throws IllegalArgumentException with a message for the user
     */
    public static DiskSpec parse(String arg) {
        if (arg == null || arg.isEmpty()) throw new IllegalArgumentException("--disk: missing FILE");
        StringBuilder file = new StringBuilder();
        int i = 0;
        while (i < arg.length()) {
            char c = arg.charAt(i);
            if (c == ',') {
                if (i + 1 < arg.length() && arg.charAt(i + 1) == ',') {
                    file.append(',');
                    i += 2;
                    continue;
                }
                break;
            }
            file.append(c);
            i++;
        }
        if (file.length() == 0) throw new IllegalArgumentException("--disk: missing FILE in '" + arg + "'");
        Interface iface = Interface.VIRTIO;
        boolean ro = false;
        String rest = i < arg.length() ? arg.substring(i + 1) : "";
        if (i < arg.length() && rest.isEmpty()) throw new IllegalArgumentException("--disk: empty option after ',' in '" + arg + "'");
        for (String opt : rest.isEmpty() ? new String[0] : rest.split(",", -1)) {
            String o = opt.toLowerCase(Locale.ROOT);
            if (o.equals("ro") || o.equals("readonly") || o.equals("readonly=on")) ro = true;
            else if (o.equals("rw") || o.equals("readonly=off")) ro = false;
            else if (o.equals("if=ide")) iface = Interface.IDE;
            else if (o.equals("if=virtio")) iface = Interface.VIRTIO;
            else if (o.startsWith("if=")) {
                throw new IllegalArgumentException("--disk: unknown interface '" + opt.substring(3) + "' (ide or virtio)");
            } else {
                throw new IllegalArgumentException("--disk: unknown option '" + opt + "' (if=ide|virtio, ro)");
            }
        }
        try {
            return new DiskSpec(Path.of(file.toString()), iface, ro);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("--disk: not a valid path: " + file);
        }
    }
}
