package io.minivmm.vmm.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The disk images of one machine, opened together before it is built (so a missing, locked or
 * malformed image stops the run before anything else is created) and closed together after it.
 * Order is the order of the {@code --disk} options: the first disk is the BIOS's drive 0x80 and
 * the one a PC boots from.
 */
public final class Disks implements AutoCloseable {
    /** One opened disk with the spec it came from. */
    public record Disk(DiskSpec spec, DiskImage image) { }

    private final List<Disk> disks;

    private Disks(List<Disk> disks) { this.disks = List.copyOf(disks); }

    /** No disks. */
    public static Disks none() { return new Disks(List.of()); }

    /** Opens every image; on a failure closes those already open and rethrows. */
    public static Disks open(List<DiskSpec> specs) throws IOException {
        List<Disk> out = new ArrayList<>();
        try {
            for (DiskSpec s : specs) out.add(new Disk(s, DiskImage.open(s.file(), s.readOnly())));
        } catch (IOException | RuntimeException e) {
            for (Disk d : out) d.image().close();
            throw e;
        }
        return new Disks(out);
    }

    /** Every disk, in command-line order. */
    public List<Disk> all() { return disks; }

    /** The disks on one interface, in command-line order. */
    public List<Disk> on(DiskSpec.Interface iface) {
        List<Disk> out = new ArrayList<>();
        for (Disk d : disks) if (d.spec().iface() == iface) out.add(d);
        return out;
    }

    @Override
    public void close() { for (Disk d : disks) d.image().close(); }
}
