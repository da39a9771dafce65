package dev.tuncrypt.client.transport;

import java.io.IOException;

/** A failed socket call with its errno. */
public final class NativeSocketException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NativeSocketException(String call, int errno, String text) {
        super(call + ": " + text);
        this.errno = errno;
    }

    /** The errno the call left. */
    public int errno() {
        return errno;
    }
}
