package io.minivmm.vmm.pc;

import io.minivmm.vmm.devices.ata.AtaChannel;
import io.minivmm.vmm.machine.Part;
import io.minivmm.vmm.machine.PlatformInfo;
import io.minivmm.vmm.machine.Wiring;
import io.minivmm.vmm.storage.DiskImage;
import io.minivmm.vmm.storage.DiskSpec;
import io.minivmm.vmm.storage.Disks;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A legacy IDE channel of the PC: an {@link AtaChannel} on its ISA ports and IRQ. The primary
 * channel ("ide0") is at 0x1F0-0x1F7 and 0x3F6 with IRQ 14, the secondary ("ide1") at
 * 0x170-0x177 and 0x376 with IRQ 15. Declared to the platform as an {@code "ide"}
 * {@link PlatformInfo.IoDevice} (the command block; the control block is at base + 0x206) so
 * the ACPI tables can describe it.
 *
 * <p>{@link #forDisks} places the {@code if=ide} disks: primary master, primary slave,
 * secondary master, secondary slave. The images stay owned by {@link Disks}: this part does not
 * close them.
 */
public final class IdeChannelPart implements Part {
    /** Primary and secondary command-block bases, control-block ports and IRQs. */
    public static final int PRIMARY_BASE = 0x1f0, PRIMARY_CONTROL = 0x3f6, PRIMARY_IRQ = 14,
            SECONDARY_BASE = 0x170, SECONDARY_CONTROL = 0x376, SECONDARY_IRQ = 15;
    /** IDE disks a PC holds: two channels of two. */
    public static final int MAX_DISKS = 4;

    private final int index;
    private final DiskImage master;
    private final DiskImage slave;
    private AtaChannel channel;

    /**
     * @param index  0 = primary, 1 = secondary
     * @param master device 0 or null
     * @param slave  device 1 or null
     */
    public IdeChannelPart(int index, DiskImage master, DiskImage slave) {
        if (index != 0 && index != 1) throw new IllegalArgumentException("IDE channel " + index + " (0 or 1)");
        this.index = index;
        this.master = master;
        this.slave = slave;
        this.channel = new AtaChannel(master, slave, null); // replaced in attach, with the IRQ line
    }

    /**
     * The channels the {@code if=ide} disks of a run need, in order: none without IDE disks, the
     * primary for one or two, both for three or four.
     *
     * @throws IllegalArgumentException for more than {@link #MAX_DISKS} IDE disks
     */
    public static List<IdeChannelPart> forDisks(Disks disks) {
        List<Disks.Disk> ide = disks.on(DiskSpec.Interface.IDE);
        if (ide.size() > MAX_DISKS) {
            throw new IllegalArgumentException("--disk: " + ide.size() + " disks with if=ide, but the IDE channels hold "
                    + MAX_DISKS + " (primary master and slave, secondary master and slave)");
        }
        List<IdeChannelPart> parts = new ArrayList<>();
        for (int ch = 0; ch * 2 < ide.size(); ch++) {
            DiskImage m = ide.get(2 * ch).image();
            DiskImage s = 2 * ch + 1 < ide.size() ? ide.get(2 * ch + 1).image() : null;
            parts.add(new IdeChannelPart(ch, m, s));
        }
        return parts;
    }

    @Override
    public String name() { return "ide" + index; }

    public int base() { return index == 0 ? PRIMARY_BASE : SECONDARY_BASE; }

    public int controlPort() { return index == 0 ? PRIMARY_CONTROL : SECONDARY_CONTROL; }

    public int irq() { return index == 0 ? PRIMARY_IRQ : SECONDARY_IRQ; }

    @Override
    public void attach(Wiring w) {
        w.resources().claimIrq(name(), irq());
        channel = new AtaChannel(master, slave, w.irq(irq()));
        w.pio().register(base(), AtaChannel.COMMAND_BLOCK_PORTS, channel.commandBlock(), name());
        w.pio().register(controlPort(), 1, channel.controlBlock(), name() + "-control");
        w.platform().addIoDevice(new PlatformInfo.IoDevice("ide", name(), base(), AtaChannel.COMMAND_BLOCK_PORTS, irq()));
        if (master != null) w.platform().addHardDisk(name() + " master");
        if (slave != null) w.platform().addHardDisk(name() + " slave");
    }

    /** The channel's state machine. */
    public AtaChannel channel() { return channel; }

    /** Number of disks on this channel. */
    public int diskCount() { return (master != null ? 1 : 0) + (slave != null ? 1 : 0); }

    @Override
    public void reset() { channel.reset(); }

    @Override
    public void saveState(DataOutput out) throws IOException { channel.saveState(out); }

    @Override
    public void restoreState(DataInput in) throws IOException { channel.restoreState(in); }
}
