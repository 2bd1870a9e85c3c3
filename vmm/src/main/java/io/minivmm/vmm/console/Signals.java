package io.minivmm.vmm.console;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * POSIX signal handlers through the JDK's {@code sun.misc.Signal} (module jdk.unsupported),
 * reached by reflection so the build has no internal-API warnings and a JDK without it just
 * falls back to the JVM's default handling (shutdown hooks still run on TERM/INT/HUP).
 */
public final class Signals {
    private Signals() {}

    /** Called on the JVM's signal-dispatch thread; must not block for long. */
    public interface Handler {
        void onSignal(String name, int number);
    }

    /** Conventional numbers on Linux, used when the JDK does not say. */
    static final Map<String, Integer> NUMBERS = Map.of("HUP", 1, "INT", 2, "TERM", 15);

    /**
     * Installs {@code handler} for each named signal ("TERM", "INT", "HUP"); returns the names
     * it could not install for (empty when all were installed).
     */
    public static java.util.List<String> install(Handler handler, String... names) {
        java.util.List<String> failed = new java.util.ArrayList<>();
        Class<?> signalClass;
        Class<?> handlerClass;
        Method handle;
        try {
            signalClass = Class.forName("sun.misc.Signal");
            handlerClass = Class.forName("sun.misc.SignalHandler");
            handle = signalClass.getMethod("handle", signalClass, handlerClass);
        } catch (ReflectiveOperationException | LinkageError e) {
            return java.util.List.of(names);
        }
        for (String name : names) {
            try {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                Method getNumber = signalClass.getMethod("getNumber");
                InvocationHandler ih = (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        int n;
                        try {
                            n = (Integer) getNumber.invoke(args[0]);
                        } catch (ReflectiveOperationException e) {
                            n = NUMBERS.getOrDefault(name, 0);
                        }
                        handler.onSignal(name, n);
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "minivmm SIG" + name + " handler";
                    default -> null;
                };
                Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass}, ih);
                handle.invoke(null, signal, proxy);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                failed.add(name); // e.g. IllegalArgumentException: signal in use by the VM (-Xrs)
            }
        }
        return failed;
    }
}
