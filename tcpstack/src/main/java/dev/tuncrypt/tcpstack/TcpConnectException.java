package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.tcp.TcpError;
import java.net.ConnectException;

/** A connect that failed, with the typed reason (refused, unreachable, timed out, not protected, ...). */
public final class TcpConnectException extends ConnectException {
    private static final long serialVersionUID = 1L;

    private final transient TcpError error;

    public TcpConnectException(String message, TcpError error) {
        super(message);
        this.error = error;
    }

    /** Why the connect failed; {@link TcpError#TIMED_OUT} when no answer came in time. */
    public TcpError error() {
        return error;
    }
}
