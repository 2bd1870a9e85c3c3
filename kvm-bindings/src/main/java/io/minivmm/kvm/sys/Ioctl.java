package io.minivmm.kvm.sys;

/** Linux ioctl number encoding (include/uapi/asm-generic/ioctl.h; x86 uses the generic layout). */
public final class Ioctl {
    private Ioctl() {}

    private static final int NRBITS = 8, TYPEBITS = 8, SIZEBITS = 14;
    private static final int NRSHIFT = 0, TYPESHIFT = NRSHIFT + NRBITS, SIZESHIFT = TYPESHIFT + TYPEBITS,
            DIRSHIFT = SIZESHIFT + SIZEBITS;
    private static final long NONE = 0, WRITE = 1, READ = 2;

    static long ioc(long dir, int type, int nr, int size) {
        if (size < 0 || size >= (1 << SIZEBITS)) throw new IllegalArgumentException("ioctl size " + size);
        return (dir << DIRSHIFT) | ((long) type << TYPESHIFT) | ((long) nr << NRSHIFT) | ((long) size << SIZESHIFT);
    }

    public static long io(int type, int nr) { return ioc(NONE, type, nr, 0); }
    public static long ior(int type, int nr, int size) { return ioc(READ, type, nr, size); }
    public static long iow(int type, int nr, int size) { return ioc(WRITE, type, nr, size); }
    public static long iowr(int type, int nr, int size) { return ioc(READ | WRITE, type, nr, size); }
}
