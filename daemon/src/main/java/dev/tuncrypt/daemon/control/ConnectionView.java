package dev.tuncrypt.daemon.control;

import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** One connection as the control socket and netstat show it. Thread-safe snapshots. */
public interface ConnectionView {

    /** The application socket's own address (leg 1's client side for a spliced connection). */
    InetSocketAddress appLocal();

    /** The application socket's peer (the original destination for a spliced connection). */
    InetSocketAddress appRemote();

    /** Where the connection stands. */
    Phase phase();

    /** The tcpcrypt session, once {@link Phase#ENCRYPTED}. */
    Optional<TcpCryptInfo> crypto();

    /** Why the connection ran in the clear ("peer sent no ENO", "disabled", ...); empty unless it settled PLAIN. */
    Optional<String> plainReason();

    /** Completes when the connection leaves {@link Phase#HANDSHAKING} (EBUSY replies wait on it). */
    CompletionStage<Phase> settled();

    /** Transport details for {@code netstat --wide}. */
    ConnectionDetails details();

    /** The uid owning the application socket, or -1 when unknown (SO_PEERCRED checks use it). */
    int ownerUid();

    /**
     * TCP_CRYPT_APP_SUPPORT as tcpcryptd 0.5 reports it: bit 0 this end announced application
     * support, bit 1 the peer did. The default knows only the peer's bit.
     */
    default int appSupport() {
        return crypto().map(i -> i.peerAppAware() ? 2 : 0).orElse(0);
    }

    /** TCP_CRYPT_RESET: aborts the connection (RST both ways for a spliced one). */
    void reset();

    /** Where a connection stands. */
    enum Phase {
        /** Leg 2 connecting or tcpcrypt keys not yet agreed. */
        HANDSHAKING,
        /** tcpcrypt negotiated and keys agreed. */
        ENCRYPTED,
        /** Running in the clear (see {@link #plainReason()}). */
        PLAIN,
        /** Ended; kept briefly so late queries get an answer. */
        CLOSED
    }

    /**
     * Transport details.
     *
     * @param state the TCP state name of the encrypted leg (RFC 9293 names)
     * @param dialect "tcpcrypt-0.5", "rfc8548" or "plain"
     * @param srtt smoothed round-trip time, zero when unknown
     * @param cwndBytes congestion window in bytes
     * @param retransmits segments retransmitted
     * @param bytesIn payload bytes delivered to the application
     * @param bytesOut payload bytes sent by the application
     * @param age time since the connection began
     */
    record ConnectionDetails(String state, String dialect, Duration srtt, long cwndBytes, long retransmits,
            long bytesIn, long bytesOut, Duration age) {}
}
