package dev.tuncrypt.tcpstack.tcp;

import dev.tuncrypt.tcpstack.wire.TcpOptions;
import java.nio.ByteBuffer;

/**
 * The extension point through which an encryption protocol joins a connection's segment paths
 * (design §6): it adds options to the SYN, SYN-ACK and first ACK, reads the peer's, and decides
 * whether the byte stream is transformed. TCP itself knows nothing of what a protection does.
 *
 * <p>One instance per connection, called on the connection's loop thread only.
 */
public interface SegmentProtection {

    /**
     * Writes options for our SYN ({@code synAck} false) or SYN-ACK into {@code buf} at
     * {@code index}, using at most {@code room} bytes.
     *
     * @return the index after what was written
     */
    int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck);

    /**
     * The peer's SYN (we are passive) or SYN-ACK (we are active) arrived with these options; the
     * raw option bytes are {@code buf[optionsOffset, optionsOffset + optionsLength)}.
     */
    void onPeerSynOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed, boolean synAck);

    /**
     * The options of a non-SYN segment from the peer that passed the sequence and RST checks,
     * before its ACK is processed (so before a passive open becomes ESTABLISHED on it): TCP-ENO
     * requires the first ACK to carry ENO and stops sending ENO once a non-SYN segment arrived
     * (RFC 8547 §4.6). The raw option bytes are {@code buf[optionsOffset, optionsOffset + optionsLength)}.
     */
    default void onPeerOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed) {}

    /**
     * Writes options for a non-SYN segment (e.g. the first ACK of the active opener).
     *
     * @return the index after what was written
     */
    default int writeOptions(ByteBuffer buf, int index, int room) {
        return index;
    }

    /**
     * How many option bytes {@link #writeOptions} would add to the next non-SYN segment (before
     * padding): the sender leaves that much room beside the payload so the segment stays within
     * the MTU. Default 0.
     */
    default int pendingOptionLength() {
        return 0;
    }

    /** Whether the byte stream is transformed; false after negotiation means plain TCP. */
    boolean transformsStream();

    /**
     * The stream half, asked once the connection is ESTABLISHED when {@link #transformsStream()}
     * is true.
     */
    default StreamProtection stream() {
        throw new IllegalStateException("no stream protection");
    }

    /**
     * Whether a connection that did not negotiate protection must be refused (a "required"
     * policy); checked when the handshake completes.
     */
    default boolean required() {
        return false;
    }

    /**
     * The connection is gone ({@code reason} null after an orderly close), whether or not a
     * stream half was ever asked for: a handshake still waiting can end here.
     */
    default void onClosed(TcpError reason) {}

    /** No protection: plain TCP. */
    SegmentProtection NONE = new SegmentProtection() {
        @Override
        public int writeSynOptions(ByteBuffer buf, int index, int room, boolean synAck) {
            return index;
        }

        @Override
        public void onPeerSynOptions(ByteBuffer buf, int optionsOffset, int optionsLength, TcpOptions parsed,
                boolean synAck) {}

        @Override
        public boolean transformsStream() {
            return false;
        }
    };

    /** Creates the protection of one connection. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param active whether this end sent the first SYN
         */
        SegmentProtection create(FlowKey flow, boolean active);
    }
}
