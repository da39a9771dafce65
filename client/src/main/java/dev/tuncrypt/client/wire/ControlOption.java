package dev.tuncrypt.client.wire;

/**
 * Option numbers of the control protocol. 0&ndash;102 are tcpcryptd 0.5's
 * ({@code include/tcpcrypt/tcpcrypt.h}); 200&ndash;203 are tuncrypt's own, outside that range, with
 * payloads in network byte order (docs/control-protocol.md).
 */
public final class ControlOption {
    private ControlOption() {}

    /** int: get 1/0; set 0 before connect to run the connection in the clear. */
    public static final int TCP_CRYPT_ENABLE = 0;
    /** int: get 1 when tcpcrypt is required ("always"), set before connect. */
    public static final int TCP_CRYPT_CMODE = 1;
    /** get: the session ID. */
    public static final int TCP_CRYPT_SESSID = 2;
    /** set: int app-support value before connect; get: one app-support byte then the session ID. */
    public static final int TCP_CRYPT_APP_SUPPORT = 15;
    /** set: abort the connection. */
    public static final int TCP_CRYPT_RESET = 100;
    /** set: drop cached sessions. */
    public static final int TCP_CRYPT_NOCACHE = 101;
    /** get: {@link NetstatRecord}s of every encrypting IPv4 connection. */
    public static final int TCP_CRYPT_NETSTAT = 102;

    /** tuncrypt: get the daemon's status ({@link StatusPayload}). */
    public static final int TUNCRYPT_STATUS = 200;
    /** tuncrypt: get one page of {@link WideRecord}s ({@link WidePage}). */
    public static final int TUNCRYPT_NETSTAT_WIDE = 201;
    /** tuncrypt: set: flush the session cache; the reply carries the number flushed (u32). */
    public static final int TUNCRYPT_FLUSH = 202;
    /**
     * tuncrypt: set: re-read the daemon's configuration and apply it (as SIGHUP); root only. The
     * reply carries one byte (1 applied, 0 refused: the old configuration stays) and a UTF-8 line.
     */
    public static final int TUNCRYPT_RELOAD = 210;
    /** tuncrypt: get one connection by an IPv4 or IPv6 4-tuple in the data ({@link ConnectionQuery}). */
    public static final int TUNCRYPT_CONN_INFO = 203;

    /** A short name for logs and counters. */
    public static String name(int opt) {
        return switch (opt) {
            case TCP_CRYPT_ENABLE -> "TCP_CRYPT_ENABLE";
            case TCP_CRYPT_CMODE -> "TCP_CRYPT_CMODE";
            case TCP_CRYPT_SESSID -> "TCP_CRYPT_SESSID";
            case TCP_CRYPT_APP_SUPPORT -> "TCP_CRYPT_APP_SUPPORT";
            case TCP_CRYPT_RESET -> "TCP_CRYPT_RESET";
            case TCP_CRYPT_NOCACHE -> "TCP_CRYPT_NOCACHE";
            case TCP_CRYPT_NETSTAT -> "TCP_CRYPT_NETSTAT";
            case TUNCRYPT_STATUS -> "TUNCRYPT_STATUS";
            case TUNCRYPT_NETSTAT_WIDE -> "TUNCRYPT_NETSTAT_WIDE";
            case TUNCRYPT_FLUSH -> "TUNCRYPT_FLUSH";
            case TUNCRYPT_CONN_INFO -> "TUNCRYPT_CONN_INFO";
            case TUNCRYPT_RELOAD -> "TUNCRYPT_RELOAD";
            default -> "option " + opt;
        };
    }
}
