package io.minivmm.vmm.loader;

/**
 * The image is malformed, uses a boot-protocol feature minivmm cannot honour, or does not fit in
 * guest RAM. The CLI maps it to exit status 65 and prints {@link #getMessage()}, which is always a
 * single line naming the offending field, e.g.
 * {@code bzImage: setup_sects 200 extends past end of file (size 4096)}.
 */
public final class ImageException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(oneLine(message));
    }

    private static String oneLine(String m) {
        if (m == null || m.isBlank()) {
            return "malformed image";
        }
        return m.replaceAll("[\\r\\n]+", " ").strip();
    }
}
