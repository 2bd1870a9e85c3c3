package io.minivmm.kvm.bench;

import io.minivmm.kvm.memory.MemoryMapping;
import io.minivmm.kvm.memory.MemoryView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Not a test: ns per u64 read and write on a {@link MemoryMapping} versus a direct
 * {@link ByteBuffer} (native order, i.e. little-endian, its fastest form) of the same size,
 * sequential and random offsets; then a checked {@link MemoryView} of the mapping versus a raw
 * direct buffer over the same mapping (the design the view replaced, issue 15). Each figure is the median of {@code RUNS} timed runs after
 * {@code WARMUP} untimed ones; every read is folded into a checksum that is printed, and writes
 * store loop-dependent values, so the JIT cannot drop the work.
 *
 * <pre>{@code
 * mvn -q -B -o -pl kvm-bindings -am test-compile
 * java -cp kvm-bindings/target/classes:kvm-bindings/target/test-classes:$HOME/.m2/repository/net/java/dev/jna/jna/5.14.0/jna-5.14.0.jar \
 *     io.minivmm.kvm.bench.MemoryMappingBench
 * }</pre>
 */
public final class MemoryMappingBench {
    static final int SIZE = 64 << 20;
    static final int OPS = 1 << 22; // 4 Mi accesses per run (half the 8 Mi u64 slots)
    static final int WARMUP = 8;
    static final int RUNS = 9;

    static long checksum;

    public static void main(String[] args) {
        int[] random = new int[OPS];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < OPS; i++) {
            random[i] = rnd.nextInt(SIZE / 8) * 8;
        }
        int[] sequential = new int[OPS];
        for (int i = 0; i < OPS; i++) {
            sequential[i] = i * 8;
        }
        try (MemoryMapping m = MemoryMapping.anonymous(SIZE).populate(true).build()) {
            ByteBuffer bb = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
            System.out.printf("u64 access, %d MiB, %d ops/run, median of %d runs after %d warm-up runs%n",
                    SIZE >> 20, OPS, RUNS, WARMUP);
            System.out.printf("%-17s %14s %14s %7s%n", "", "MemoryMapping", "ByteBuffer", "ratio");
            for (String pattern : new String[] {"sequential", "random"}) {
                int[] offs = pattern.equals("random") ? random : sequential;
                double mr = median(() -> readMapping(m, offs));
                double br = median(() -> readBuffer(bb, offs));
                row("read " + pattern, mr, br);
                double mw = median(() -> writeMapping(m, offs));
                double bw = median(() -> writeBuffer(bb, offs));
                row("write " + pattern, mw, bw);
            }
            // Issue 15: views over a mapping. Before, a raw direct ByteBuffer over the mapping
            // (VolatileSlice.asByteBuffer, now removed: it crashed the JVM when used after close);
            // after, the checked MemoryView that replaced it. Same memory, same offsets.
            MemoryView view = m.view(0, SIZE);
            // NATIVE: the mapping is open for the whole block; the raw buffer is the "before" design.
            ByteBuffer raw = new com.sun.jna.Pointer(m.hostAddress()).getByteBuffer(0, SIZE).order(ByteOrder.nativeOrder());
            System.out.printf("%-22s %14s %14s %7s%n", "", "MemoryView", "raw ByteBuffer", "ratio");
            for (String pattern : new String[] {"sequential", "random"}) {
                int[] offs = pattern.equals("random") ? random : sequential;
                double vr = median(() -> readView(view, offs));
                double rr = median(() -> readBuffer(raw, offs));
                row("view read " + pattern, vr, rr);
                double vw = median(() -> writeView(view, offs));
                double rw = median(() -> writeBuffer(raw, offs));
                row("view write " + pattern, vw, rw);
            }
            // Fold what the writes left behind into the checksum too.
            checksum += readMapping(m, random) + readBuffer(bb, random) + readView(view, sequential);
        }
        System.out.println("checksum " + Long.toHexString(checksum));
    }

    interface Run {
        long run();
    }

    static double median(Run r) {
        for (int i = 0; i < WARMUP; i++) {
            checksum += r.run();
        }
        double[] ns = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            checksum += r.run();
            ns[i] = (double) (System.nanoTime() - t0) / OPS;
        }
        Arrays.sort(ns);
        return ns[RUNS / 2];
    }

    static void row(String name, double mapping, double buffer) {
        System.out.printf("%-" + (name.startsWith("view") ? 22 : 17) + "s %11.3f ns %11.3f ns %6.2fx%n",
                name, mapping, buffer, mapping / buffer);
    }

    static long readMapping(MemoryMapping m, int[] offs) {
        long sum = 0;
        for (int off : offs) {
            sum += m.readU64(off);
        }
        return sum;
    }

    static long readBuffer(ByteBuffer b, int[] offs) {
        long sum = 0;
        for (int off : offs) {
            sum += b.getLong(off);
        }
        return sum;
    }

    static long writeMapping(MemoryMapping m, int[] offs) {
        long v = checksum;
        for (int off : offs) {
            m.writeU64(v++, off);
        }
        return v;
    }

    static long readView(MemoryView v, int[] offs) {
        long sum = 0;
        for (int off : offs) {
            sum += v.readU64(off);
        }
        return sum;
    }

    static long writeView(MemoryView v, int[] offs) {
        long val = checksum;
        for (int off : offs) {
            v.writeU64(val++, off);
        }
        return val;
    }

    static long writeBuffer(ByteBuffer b, int[] offs) {
        long v = checksum;
        for (int off : offs) {
            b.putLong(off, v++);
        }
        return v;
    }
}
