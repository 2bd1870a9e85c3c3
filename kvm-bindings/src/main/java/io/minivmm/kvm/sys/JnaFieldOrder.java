package io.minivmm.kvm.sys;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * Tells JNA the field order of its own {@code Structure.FFIType} before the first direct-mapped
 * registration needs it, so that JNA does not read it from FFIType's {@code @FieldOrder}
 * annotation. The JDK makes annotation instances as dynamic proxies, and the first one in a JVM
 * costs ~90 classes (java.lang.reflect.Proxy, its class generator, streams, a dynamic module) and
 * two classes generated at run time: 0.5 MiB resident and ~6 ms of CPU on the CLI's start
 * (docs/STARTUP.md). minivmm's own code has no JNA structure; FFIType is the only one a run makes.
 *
 * <p>It puts into JNA's per-class field-order cache ({@code Structure.fieldOrder}, under its
 * {@code cacheStructureLock}) what JNA would put there after reading the annotation: the order of
 * libffi's {@code ffi_type} (size, alignment, type, elements), which FFIType mirrors. Anything
 * unexpected (a JNA without that cache, an FFIType with other fields, a cache already filled) and
 * it does nothing: JNA then reads the annotation as usual. At run time only the field names are
 * compared (as a set: the JVM does not report declaration order); the order itself is libffi's ABI,
 * and JnaFieldOrderTest compares the list with the annotation of the JNA in the build.
 */
final class JnaFieldOrder {
    private JnaFieldOrder() {}

    /** The field order of libffi's {@code ffi_type}, as FFIType declares it. */
    static final List<String> FFI_TYPE = List.of("size", "alignment", "type", "elements");

    private static boolean tried;

    /**
     * Hands the order over, once per process (later calls do nothing). Whether it was handed over
     * now (false: tried before, already there, or not this JNA).
     */
    static synchronized boolean preset() {
        if (tried) return false;
        tried = true;
        try {
            ClassLoader l = JnaFieldOrder.class.getClassLoader();
            Class<?> ffi = Class.forName("com.sun.jna.Structure$FFIType", false, l);
            Set<String> names = new HashSet<>();
            for (Field f : ffi.getFields()) {
                if (!Modifier.isStatic(f.getModifiers())) names.add(f.getName());
            }
            if (!names.equals(new HashSet<>(FFI_TYPE))) return false;
            Class<?> structure = Class.forName("com.sun.jna.Structure", false, l);
            Field cacheField = structure.getDeclaredField("fieldOrder");
            Field lockField = structure.getDeclaredField("cacheStructureLock");
            if (!Modifier.isStatic(cacheField.getModifiers()) || !Map.class.isAssignableFrom(cacheField.getType())
                    || !Modifier.isStatic(lockField.getModifiers()) || !ReadWriteLock.class.isAssignableFrom(lockField.getType())) {
                return false;
            }
            cacheField.setAccessible(true);
            lockField.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<Class<?>, List<String>> cache = (Map<Class<?>, List<String>>) cacheField.get(null);
            ReadWriteLock lock = (ReadWriteLock) lockField.get(null);
            lock.writeLock().lock();
            try {
                if (cache.containsKey(ffi)) return false;
                cache.put(ffi, FFI_TYPE);
                return true;
            } finally {
                lock.writeLock().unlock();
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false; // not this JNA: it reads the annotation itself
        }
    }
}
