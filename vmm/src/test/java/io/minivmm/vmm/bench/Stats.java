package io.minivmm.vmm.bench;

import java.util.Arrays;

/** Min / median / max of a small sample (benchmark support). */
record Stats(double min, double median, double max, int n) {
    static Stats of(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        int n = c.length;
        double med = n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
        return new Stats(c[0], med, c[n - 1], n);
    }

    String fmt(String unit, int decimals) {
        String f = "%." + decimals + "f";
        return String.format("median " + f + " %s (min " + f + ", max " + f + ", n=%d)", median, unit, min, max, n);
    }

    /** One line of the final table: {@code SUMMARY|figure|java|c|ratio}, picked up by bench/run.sh. */
    static void summary(String figure, String java, String c, String ratio) {
        System.out.println("SUMMARY|" + figure + "|" + java + "|" + c + "|" + ratio);
    }

    static String loadavg() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
