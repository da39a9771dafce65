package dev.tuncrypt.tun;

import java.io.IOException;

/**
 * A TUN, interface or namespace operation failed. Carries the {@code errno} (0 when the problem
 * was found before asking the kernel), the operation that failed, and a sentence that tells a user
 * what is wrong and, where there is one, what to do about it.
 */
public final class TunException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String sentence;

    /**
     * @param operation what was attempted, e.g. "TUNSETIFF" or "open /dev/net/tun"
     * @param errno the kernel's error number, 0 if the kernel was not asked
     * @param sentence what went wrong, for a user
     */
    public TunException(String operation, int errno, String sentence) {
        super(sentence + (errno == 0
                ? " (" + operation + ")"
                : " (" + operation + ": " + Errno.nameOf(errno) + ")"));
        this.operation = operation;
        this.errno = errno;
        this.sentence = sentence;
    }

    /**
     * The error for {@code errno} from {@code operation} on {@code subject} (a path or interface
     * name) when the call site has nothing more specific to say.
     */
    static TunException of(String operation, String subject, int errno) {
        if (Errno.EPERM.matches(errno) || Errno.EACCES.matches(errno)) {
            return new TunException(operation, errno,
                    subject + ": permission denied — run as root or give CAP_NET_ADMIN");
        }
        return new TunException(operation, errno, subject + ": " + Native.strerror(errno));
    }

    /** The kernel's error number; 0 when the problem was found before calling the kernel. */
    public int errno() {
        return errno;
    }

    /** Whether the error number is {@code e}. */
    public boolean is(Errno e) {
        return e.matches(errno);
    }

    /** The operation that failed, e.g. "TUNSETIFF". */
    public String operation() {
        return operation;
    }

    /** The message without the operation and errno suffix. */
    public String sentence() {
        return sentence;
    }
}
