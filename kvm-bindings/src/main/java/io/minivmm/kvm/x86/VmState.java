package io.minivmm.kvm.x86;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What KVM holds for a VM outside its vCPUs and memory: the in-kernel irqchip (PIC master, PIC
 * slave, IOAPIC; empty without one), the PIT (null without one) and kvmclock.
 * <pre>{@code
 * VmState vs = vm.saveState();          // every vCPU paused
 * VmState back = VmState.fromBytes(vs.toBytes());
 * newVm.restoreState(back);             // after createIrqchip/createPit2, before the vCPUs' state
 * }</pre>
 * Binary form: magic "MVVM", a 16-bit version, the chips (count, then id and 512 bytes each), a
 * PIT presence byte and its channels, the clock; {@link #toBytes()} appends a CRC32.
 */
public record VmState(List<Irqchip> irqchips, PitState2 pit, ClockData clock) {
    /** "MVVM". */
    public static final int MAGIC = 0x4d56564d;
    public static final int VERSION = 1;

    public VmState {
        irqchips = List.copyOf(irqchips);
        if (clock == null) throw new IllegalArgumentException("the clock is required");
    }

    public byte[] toBytes() { return StateIo.toBytes(this::writeTo); }

    public static VmState fromBytes(byte[] blob) throws StateFormatException {
        return StateIo.fromBytes(blob, "VM state", VmState::read);
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeInt(irqchips.size());
        for (Irqchip c : irqchips) {
            out.writeInt(c.chipId());
            out.write(c.state());
        }
        out.writeBoolean(pit != null);
        if (pit != null) {
            for (PitChannel ch : pit.channels()) {
                out.writeInt(ch.count());
                out.writeShort(ch.latchedCount());
                for (int v : new int[] {ch.countLatched(), ch.statusLatched(), ch.status(), ch.readState(),
                    ch.writeState(), ch.writeLatch(), ch.rwMode(), ch.mode(), ch.bcd(), ch.gate()}) {
                    out.writeByte(v);
                }
                out.writeLong(ch.countLoadTime());
            }
            out.writeInt(pit.flags());
        }
        out.writeLong(clock.clock());
        out.writeInt(clock.flags());
        out.writeLong(clock.realtime());
        out.writeLong(clock.hostTsc());
    }

    public static VmState readFrom(DataInput in) throws StateFormatException {
        return StateIo.read(in, "VM state", VmState::read);
    }

    private static VmState read(DataInput in) throws IOException {
        StateIo.header(in, MAGIC, VERSION, "VM state");
        int n = StateIo.count(in, 3, "irqchip");
        List<Irqchip> chips = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = in.readInt();
            if (id < Irqchip.PIC_MASTER || id > Irqchip.IOAPIC) throw new StateFormatException("irqchip id " + id);
            chips.add(new Irqchip(id, StateIo.bytes(in, Irqchip.STATE_SIZE)));
        }
        PitState2 pit = null;
        if (StateIo.bool(in, "PIT present")) {
            List<PitChannel> ch = new ArrayList<>(3);
            for (int i = 0; i < 3; i++) {
                int count = in.readInt();
                int latched = in.readUnsignedShort();
                int[] b = new int[10];
                for (int j = 0; j < 10; j++) b[j] = StateIo.u8(in);
                ch.add(new PitChannel(count, latched, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
                        in.readLong()));
            }
            pit = new PitState2(ch, in.readInt());
        }
        ClockData clock = new ClockData(in.readLong(), in.readInt(), in.readLong(), in.readLong());
        return new VmState(chips, pit, clock);
    }
}
