package io.minivmm.vmm.launcher;

import java.util.ResourceBundle;
import java.util.logging.Logger;

/**
 * A {@link System.LoggerFinder} that hands each {@link System.Logger}'s messages to the
 * {@link java.util.logging.Logger} of the same name, with the JDK's level mapping: what the JDK's
 * default finder does in outline (it also keeps JDK modules' loggers apart and their callers'
 * source); enough for the CLI, where nothing is logged through it at the default levels.
 * Internal to the launcher, not API: it is public because {@link java.util.ServiceLoader} needs it.
 *
 * <p>The launcher ({@code vmm/target/vmm}) names it in two one-file jars ({@code lib/logger-finder.jar}
 * and {@code lib/logger-finder-2.jar}: a {@code META-INF/services} entry each) ahead of
 * {@code vmm.jar} on the class path. When java.util.logging starts (JNA's classes hold its
 * loggers), the JDK looks for a {@code LoggerFinder} service on the class path. Without one, that
 * lookup searches every jar, and opening {@code vmm.jar} reads its 4,000-entry central directory:
 * ~0.5 MiB of heap and ~8 ms at every start. Found in lib/, the lookup ends there, and a run that
 * reads no resource never opens {@code vmm.jar} (its classes come from the class-data archive).
 * Two jars, because the JDK's class-path resource enumeration looks one match ahead; and two
 * providers in each entry ({@link Spare} second), because the JDK asks for a second provider
 * when it first makes a {@code System.Logger} (Java 25 does at every exit): answered from the same
 * entry, the lookup goes no further. {@code vmm.jar} itself registers no service:
 * {@code java -jar vmm.jar} and library users keep the JDK's own finder.
 */
public class JulLoggerFinder extends System.LoggerFinder {
    /** For ServiceLoader. */
    public JulLoggerFinder() {}

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new JulLogger(Logger.getLogger(name));
    }

    /** The java.util.logging level for a System.Logger level, as the JDK maps them. */
    static java.util.logging.Level jul(System.Logger.Level level) {
        // (an if chain: a switch on an enum compiles to one more class, which the archive would miss)
        if (level == System.Logger.Level.ALL) return java.util.logging.Level.ALL;
        if (level == System.Logger.Level.TRACE) return java.util.logging.Level.FINER;
        if (level == System.Logger.Level.DEBUG) return java.util.logging.Level.FINE;
        if (level == System.Logger.Level.INFO) return java.util.logging.Level.INFO;
        if (level == System.Logger.Level.WARNING) return java.util.logging.Level.WARNING;
        if (level == System.Logger.Level.ERROR) return java.util.logging.Level.SEVERE;
        return java.util.logging.Level.OFF;
    }

    /**
     * The second provider named in the launcher's service entries, never chosen: the JDK uses the
     * first and only checks whether there is another (see the class comment).
     */
    public static final class Spare extends JulLoggerFinder {
        /** For ServiceLoader. */
        public Spare() {}
    }

    private static final class JulLogger implements System.Logger {
        private final Logger log;

        JulLogger(Logger log) {
            this.log = log;
        }

        @Override
        public String getName() {
            return log.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return log.isLoggable(jul(level));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            java.util.logging.Level l = jul(level);
            if (log.isLoggable(l)) log.logrb(l, bundle, msg, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            java.util.logging.Level l = jul(level);
            if (log.isLoggable(l)) log.logrb(l, bundle, format, params);
        }
    }
}
