package dev.tuncrypt.client.wire;

/** The Linux errno values the control protocol puts in {@code err}. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int EBADMSG = 74;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;

    /** A short text for {@code errno}. */
    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case ENOENT -> "no such connection";
            case EIO -> "internal failure in the daemon";
            case EAGAIN -> "too many requests, try again";
            case EACCES -> "permission denied";
            case EBUSY -> "handshake in progress";
            case EINVAL -> "invalid argument";
            case EBADMSG -> "malformed request";
            case EMSGSIZE -> "request too long";
            case ENOPROTOOPT -> "unknown option";
            case ENOTCONN -> "no tcpcrypt session";
            case ETIMEDOUT -> "timed out";
            case ECONNREFUSED -> "connection refused";
            case -1 -> "failed (tcpcryptd reports -1)";
            default -> "errno " + errno;
        };
    }
}
