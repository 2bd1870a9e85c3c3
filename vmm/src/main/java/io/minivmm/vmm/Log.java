package io.minivmm.vmm;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The VMM's logging, through Log4j 2, initialised only when something is actually logged.
 * Log4j's configuration costs ~0.5 s of start-up on this class of machine, more than booting a
 * small guest; a run at the default level that logs nothing never pays it. The level comes from
 * the system property {@code minivmm.log.level} ({@code error}, {@code warn} (default),
 * {@code debug}, {@code trace}), set by the CLI's {@code -q}/{@code -v}.
 */
public final class Log {
    private Log() {}

    private static final int ERROR = 0, WARN = 1, INFO = 2, DEBUG = 3, TRACE = 4;
    private static volatile int level = -1;

    private static int level() {
        int l = level;
        if (l < 0) {
            l = switch (System.getProperty("minivmm.log.level", "warn")) {
                case "error" -> ERROR;
                case "info" -> INFO;
                case "debug" -> DEBUG;
                case "trace" -> TRACE;
                default -> WARN;
            };
            level = l;
        }
        return l;
    }

    /** Re-reads the level property (after the CLI set it). */
    static void reset() { level = -1; }

    private static final class Holder {
        static final Logger LOG;

        static {
            System.setProperty("log4j2.disableJmx", "true");
            LOG = LogManager.getLogger("minivmm");
        }
    }

    public static boolean debugEnabled() { return level() >= DEBUG; }

    public static boolean traceEnabled() { return level() >= TRACE; }

    public static void error(String fmt, Object... args) { if (level() >= ERROR) Holder.LOG.error(fmt, args); }

    public static void warn(String fmt, Object... args) { if (level() >= WARN) Holder.LOG.warn(fmt, args); }

    public static void info(String fmt, Object... args) { if (level() >= INFO) Holder.LOG.info(fmt, args); }

    public static void debug(String fmt, Object... args) { if (level() >= DEBUG) Holder.LOG.debug(fmt, args); }

    public static void trace(String fmt, Object... args) { if (level() >= TRACE) Holder.LOG.trace(fmt, args); }
}
