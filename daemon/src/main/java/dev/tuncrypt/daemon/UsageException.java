package dev.tuncrypt.daemon;

/** A command line that parses but makes no sense (wrong address family, bad prefix, ...). */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
