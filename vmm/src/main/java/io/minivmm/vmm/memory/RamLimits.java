package io.minivmm.vmm.memory;

import java.io.IOException;

/**
 * The largest guest RAM this host and KVM can give a guest, checked before anything is mapped so
 * that an impossible {@code --mem} is a usage error naming the limit, not a raw KVM error or a
 * guest that dies later. Three limits, the smallest wins:
 * <ul>
 *   <li>the host's physical address width (/proc/cpuinfo "address sizes"): guest-physical RAM,
 *       laid out as {@link GuestMemory#create} does (above 3 GiB it moves above 4 GiB), must end
 *       below 2^width, since KVM's guest MAXPHYADDR is the host's;</li>
 *   <li>one KVM memory slot holds fewer than 2^31 pages (KVM_MEM_MAX_NR_PAGES): 8 TiB;</li>
 *   <li>the host's RAM plus swap (/proc/meminfo), or its commit limit under strict overcommit
 *       (vm.overcommit_memory=2): guest RAM is mapped MAP_NORESERVE, so a larger guest would
 *       map, boot and then be killed by the OOM killer once it touches its memory.</li>
 * </ul>
 * A limit whose /proc file cannot be read is not applied.
 */
public final class RamLimits {
    /** KVM_MEM_MAX_NR_PAGES on x86: (1 << 31) - 1 pages of 4 KiB per slot. */
    static final long KVM_SLOT_MAX = ((1L << 31) - 1) << 12;

    private RamLimits() {}

    /** Null when {@code bytes} of guest RAM are possible on this host, else the limit it breaks. */
    public static String check(long bytes) {
        return check(bytes, read("/proc/cpuinfo"), read("/proc/meminfo"), read("/proc/sys/vm/overcommit_memory"));
    }

    /** The check on given /proc contents (null: unknown). */
    static String check(long bytes, String cpuinfo, String meminfo, String overcommit) {
        long high = bytes > GuestMemory.LOW_RAM_LIMIT ? bytes - GuestMemory.LOW_RAM_LIMIT : 0;
        long top = high > 0 ? GuestMemory.HIGH_RAM_BASE + high : bytes;
        int width = physBits(cpuinfo);
        if (width > 0 && width < 63 && Long.compareUnsigned(top, 1L << width) > 0) {
            return "guest RAM would end at 0x" + Long.toHexString(top) + ", beyond this CPU's " + width
                    + "-bit physical address space (at most " + human(maxForTop(1L << width)) + ")";
        }
        if (high > KVM_SLOT_MAX || bytes > KVM_SLOT_MAX + GuestMemory.LOW_RAM_LIMIT) {
            return "more than one KVM memory slot holds (" + human(KVM_SLOT_MAX + GuestMemory.LOW_RAM_LIMIT) + " in all)";
        }
        long ram = meminfoBytes(meminfo, "MemTotal"), swap = meminfoBytes(meminfo, "SwapTotal");
        if ("2".equals(overcommit == null ? null : overcommit.strip())) {
            long commit = meminfoBytes(meminfo, "CommitLimit");
            if (commit > 0 && bytes > commit) {
                return "more than this host's commit limit (" + human(commit) + ", vm.overcommit_memory=2)";
            }
        } else if (ram > 0 && bytes > ram + Math.max(swap, 0)) {
            return "more than this host's RAM and swap (" + human(ram + Math.max(swap, 0)) + ")";
        }
        return null;
    }

    /** The most RAM whose layout ends at or below {@code top}. */
    private static long maxForTop(long top) {
        return top <= GuestMemory.HIGH_RAM_BASE ? Math.min(top, GuestMemory.LOW_RAM_LIMIT)
                : top - GuestMemory.HIGH_RAM_BASE + GuestMemory.LOW_RAM_LIMIT;
    }

    // The two lookups below are what the regular expressions in their comments find, written out:
    // compiling and running those on /proc/cpuinfo cost ~3 ms of every CLI start.

    /** {@code address sizes\s*:\s*(\d+) bits physical}, first match; -1 when there is none. */
    static int physBits(String cpuinfo) {
        if (cpuinfo == null) return -1;
        for (int at = cpuinfo.indexOf("address sizes"); at >= 0; at = cpuinfo.indexOf("address sizes", at + 1)) {
            int i = blanks(cpuinfo, at + "address sizes".length());
            if (i >= cpuinfo.length() || cpuinfo.charAt(i) != ':') continue;
            i = blanks(cpuinfo, i + 1);
            int end = digits(cpuinfo, i);
            if (end > i && cpuinfo.startsWith(" bits physical", end)) {
                try {
                    return Integer.parseInt(cpuinfo.substring(i, end));
                } catch (NumberFormatException e) {
                    return -1; // more digits than an int: as absurd as no answer
                }
            }
        }
        return -1;
    }

    /** {@code (?m)^KEY:\s*(\d+) kB}, first match, in bytes; -1 when there is none. */
    static long meminfoBytes(String meminfo, String key) {
        if (meminfo == null) return -1;
        String head = key + ":";
        for (int at = meminfo.indexOf(head); at >= 0; at = meminfo.indexOf(head, at + 1)) {
            if (at > 0 && meminfo.charAt(at - 1) != '\n') continue; // (?m)^: a line's start
            int i = blanks(meminfo, at + head.length());
            int end = digits(meminfo, i);
            if (end > i && meminfo.startsWith(" kB", end)) {
                try {
                    return Long.parseLong(meminfo.substring(i, end)) << 10;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static int blanks(String s, int from) {
        int i = from;
        while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) i++;
        return i;
    }

    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        return i;
    }

    /** 1.5 GiB, 256 MiB, 8 TiB: binary units, one decimal where it matters. */
    public static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u < 0) return bytes + " bytes";
        return (v == Math.floor(v) ? String.valueOf((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    /**
     * The file's text, or null. java.io rather than java.nio.file: on the CLI's start path this is
     * the first file read, and NIO's first use loads and initialises libnio and libnet (socket
     * probes, /proc/net/if_inet6; ~3 ms here) for nothing.
     */
    private static String read(String path) {
        try (java.io.FileInputStream in = new java.io.FileInputStream(path)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
