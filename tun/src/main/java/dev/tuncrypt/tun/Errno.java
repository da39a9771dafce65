package dev.tuncrypt.tun;

/** The Linux {@code errno} values this module reacts to (x86-64 and arm64 share them). */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    EINTR(4),
    EIO(5),
    ENXIO(6),
    EAGAIN(11),
    EACCES(13),
    EBUSY(16),
    EEXIST(17),
    ENODEV(19),
    EINVAL(22),
    EAFNOSUPPORT(97),
    EADDRNOTAVAIL(99);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The numeric value. */
    public int code() {
        return code;
    }

    /** Whether {@code errno} is this value. */
    public boolean matches(int errno) {
        return errno == code;
    }

    /** The symbolic name of {@code errno} ("EBUSY"), or "errno N" for values not listed here. */
    public static String nameOf(int errno) {
        for (Errno e : values()) {
            if (e.code == errno) {
                return e.name();
            }
        }
        return "errno " + errno;
    }
}
