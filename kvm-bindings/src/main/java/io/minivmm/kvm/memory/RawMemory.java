package io.minivmm.kvm.memory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * Unchecked loads and stores at absolute host addresses, for {@link MemoryMapping} (which checks
 * every range before it calls here). Two implementations behind one static final switch, which
 * the JIT folds away:
 * <ul>
 *   <li>Java 22 and later: the foreign-memory API, a supported API, through var handles over one
 *       segment that spans the whole address space ({@code MemorySegment.NULL.reinterpret(Long.MAX_VALUE)}).
 *       minivmm is compiled for Java 17, so the handles are looked up reflectively once, in this
 *       class's initialiser; each access is then a constant var handle call the JIT inlines.</li>
 *   <li>Java 17 to 21: {@code sun.misc.Unsafe}. Nothing supported on Java 17 is as fast: direct
 *       byte buffers measured 3-4x slower over mappings beyond one buffer's 2 GiB and about 12%
 *       slower within one (docs/BENCHMARKS-memory.md). On Java 24 and later, Unsafe's memory
 *       methods print a deprecation warning on first use; they are never touched there.</li>
 * </ul>
 * Byte order is the platform's (little-endian on x86-64) in both.
 */
final class RawMemory {
    private RawMemory() {}

    /** True when the foreign-memory API is used (Java 22+); set -Dminivmm.memory.unsafe=true to compare. */
    static final boolean FFM = Runtime.version().feature() >= 22 && !Boolean.getBoolean("minivmm.memory.unsafe");

    private static final sun.misc.Unsafe U;
    private static final long BYTE_ARRAY_BASE;
    /** The segment over all of memory (typed Object: the class does not exist in Java 17). */
    private static final Object ALL;
    private static final VarHandle B, S, I, L, S_ALIGNED, I_ALIGNED, L_ALIGNED;
    /** MemorySegment.copy(seg, layout, off, array, index, count) and the reverse, as (Object...) handles. */
    private static final MethodHandle COPY_OUT, COPY_IN;
    private static final Object BYTE_LAYOUT;

    static {
        if (FFM) {
            U = null;
            BYTE_ARRAY_BASE = 0;
            try {
                Class<?> seg = Class.forName("java.lang.foreign.MemorySegment");
                Class<?> vl = Class.forName("java.lang.foreign.ValueLayout");
                Object nul = seg.getField("NULL").get(null);
                ALL = seg.getMethod("reinterpret", long.class).invoke(nul, Long.MAX_VALUE);
                B = handle(vl, "JAVA_BYTE");
                S = handle(vl, "JAVA_SHORT_UNALIGNED");
                I = handle(vl, "JAVA_INT_UNALIGNED");
                L = handle(vl, "JAVA_LONG_UNALIGNED");
                S_ALIGNED = handle(vl, "JAVA_SHORT");
                I_ALIGNED = handle(vl, "JAVA_INT");
                L_ALIGNED = handle(vl, "JAVA_LONG");
                BYTE_LAYOUT = vl.getField("JAVA_BYTE").get(null);
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                MethodType generic = MethodType.methodType(void.class, Object.class, Object.class, long.class,
                        Object.class, int.class, int.class);
                COPY_OUT = lookup.findStatic(seg, "copy", MethodType.methodType(void.class, seg, vl, long.class,
                        Object.class, int.class, int.class)).asType(generic);
                COPY_IN = lookup.findStatic(seg, "copy", MethodType.methodType(void.class, Object.class, int.class,
                        seg, vl, long.class, int.class)).asType(MethodType.methodType(void.class, Object.class,
                        int.class, Object.class, Object.class, long.class, int.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        } else {
            ALL = null;
            B = S = I = L = S_ALIGNED = I_ALIGNED = L_ALIGNED = null;
            COPY_OUT = COPY_IN = null;
            BYTE_LAYOUT = null;
            try {
                java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                U = (sun.misc.Unsafe) f.get(null);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
            BYTE_ARRAY_BASE = U.arrayBaseOffset(byte[].class);
        }
    }

    /** {@code layout.varHandle()}: on Java 22+ its coordinates are (MemorySegment, long offset). */
    private static VarHandle handle(Class<?> valueLayout, String layout) throws ReflectiveOperationException {
        Object l = valueLayout.getField(layout).get(null);
        return (VarHandle) valueLayout.getMethod("varHandle").invoke(l);
    }

    static byte getByte(long a) { return FFM ? (byte) B.get(ALL, a) : U.getByte(a); }
    static short getShort(long a) { return FFM ? (short) S.get(ALL, a) : U.getShort(a); }
    static int getInt(long a) { return FFM ? (int) I.get(ALL, a) : U.getInt(a); }
    static long getLong(long a) { return FFM ? (long) L.get(ALL, a) : U.getLong(a); }
    static void putByte(long a, byte v) { if (FFM) B.set(ALL, a, v); else U.putByte(a, v); }
    static void putShort(long a, short v) { if (FFM) S.set(ALL, a, v); else U.putShort(a, v); }
    static void putInt(long a, int v) { if (FFM) I.set(ALL, a, v); else U.putInt(a, v); }
    static void putLong(long a, long v) { if (FFM) L.set(ALL, a, v); else U.putLong(a, v); }

    // Volatile accesses: the caller checked natural alignment (an unaligned volatile access is
    // not atomic on any path, and the aligned var handles refuse it).
    static byte getByteVolatile(long a) { return FFM ? (byte) B.getVolatile(ALL, a) : U.getByteVolatile(null, a); }
    static short getShortVolatile(long a) { return FFM ? (short) S_ALIGNED.getVolatile(ALL, a) : U.getShortVolatile(null, a); }
    static int getIntVolatile(long a) { return FFM ? (int) I_ALIGNED.getVolatile(ALL, a) : U.getIntVolatile(null, a); }
    static long getLongVolatile(long a) { return FFM ? (long) L_ALIGNED.getVolatile(ALL, a) : U.getLongVolatile(null, a); }
    static void putByteVolatile(long a, byte v) { if (FFM) B.setVolatile(ALL, a, v); else U.putByteVolatile(null, a, v); }
    static void putShortVolatile(long a, short v) { if (FFM) S_ALIGNED.setVolatile(ALL, a, v); else U.putShortVolatile(null, a, v); }
    static void putIntVolatile(long a, int v) { if (FFM) I_ALIGNED.setVolatile(ALL, a, v); else U.putIntVolatile(null, a, v); }
    static void putLongVolatile(long a, long v) { if (FFM) L_ALIGNED.setVolatile(ALL, a, v); else U.putLongVolatile(null, a, v); }

    /** Copies n bytes from host address {@code from} to {@code dst[dstOff..]} (ranges checked by the caller). */
    static void copyOut(long from, byte[] dst, int dstOff, int n) {
        if (FFM) {
            try {
                COPY_OUT.invokeExact(ALL, BYTE_LAYOUT, from, (Object) dst, dstOff, n);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        } else {
            U.copyMemory(null, from, dst, BYTE_ARRAY_BASE + dstOff, n);
        }
    }

    /** Copies n bytes of {@code src[srcOff..]} to host address {@code to} (ranges checked by the caller). */
    static void copyIn(byte[] src, int srcOff, long to, int n) {
        if (FFM) {
            try {
                COPY_IN.invokeExact((Object) src, srcOff, ALL, BYTE_LAYOUT, to, n);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        } else {
            U.copyMemory(src, BYTE_ARRAY_BASE + srcOff, null, to, n);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
