package io.minivmm.vmm.launcher;

import java.util.ResourceBundle;
import java.util.logging.Logger;

/**
 * A {@link System.LoggerFinder} that does what the JDK's default one does: each
 * {@link System.Logger} hands its messages to the {@link java.util.logging.Logger} of the same
 * name (levels mapped as the JDK maps them). It exists for the launcher ({@code vmm/target/vmm}),
 * which names it in two one-file jars ({@code lib/logger-finder.jar} and
 * {@code lib/logger-finder-2.jar}: a {@code META-INF/services} entry each) ahead of
 * {@code vmm.jar} on the class path.
 *
 * <p>Why: when java.util.logging starts (JNA's classes hold its loggers), the JDK looks for a
 * {@code LoggerFinder} service on the class path. Without one, that lookup searches every jar,
 * and opening {@code vmm.jar} reads its 4,000-entry central directory: ~0.5 MiB of heap and ~8 ms
 * at every start. Found in lib/, the lookup ends there, and a run that reads no resource never
 * opens {@code vmm.jar} (its classes come from the class-data archive). Two jars, because the
 * JDK's class-path resource enumeration looks one match ahead: with the entry in one jar only, it
 * would go on through {@code vmm.jar} looking for a second. {@code vmm.jar} itself registers no
 * service: {@code java -jar vmm.jar} and library users keep the JDK's own finder.
 */
public final class JulLoggerFinder extends System.LoggerFinder {
    /** For ServiceLoader. */
    public JulLoggerFinder() {}

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new JulLogger(Logger.getLogger(name));
    }

    /** The java.util.logging level for a System.Logger level, as the JDK maps them. */
    static java.util.logging.Level jul(System.Logger.Level level) {
        return switch (level) {
            case ALL -> java.util.logging.Level.ALL;
            case TRACE -> java.util.logging.Level.FINER;
            case DEBUG -> java.util.logging.Level.FINE;
            case INFO -> java.util.logging.Level.INFO;
            case WARNING -> java.util.logging.Level.WARNING;
            case ERROR -> java.util.logging.Level.SEVERE;
            case OFF -> java.util.logging.Level.OFF;
        };
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
