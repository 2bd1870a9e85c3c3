package io.minivmm.vmm;

/** The image is malformed or does not fit in guest RAM: exit status 65, one-line message. */
public class ImageException extends RuntimeException {
    public ImageException(String message) { super(message); }
}
