package dev.tuncrypt.tcpstack.tcp;

import java.nio.ByteBuffer;

/** What a {@link StreamProtection} may do with its connection's streams (loop thread only). */
public interface StreamIo {
    /** In-order wire bytes received and not yet consumed. */
    int wireAvailable();

    /** Copies up to {@code dst.remaining()} wire bytes at {@code skip} bytes in, without consuming them. */
    int peekWire(ByteBuffer dst, int skip);

    /** Consumes {@code n} wire bytes. */
    void consumeWire(int n);

    /** Wire-stream offset of the next unconsumed received byte (0 = the peer's ISS + 1). */
    long receivedWireOffset();

    /** Room for plaintext in the application's receive buffer. */
    int deliverable();

    /** Hands plaintext (position to limit) to the application; it must fit {@link #deliverable}. */
    void deliver(ByteBuffer plain);

    /**
     * Appends raw bytes (an opening message) to the outgoing wire stream, ahead of sealed data;
     * the segment carrying their last byte has PSH set (RFC 8548 §3.3 asks it of Init1/Init2).
     */
    void emit(ByteBuffer bytes);

    /**
     * Asks the loop to run {@link StreamProtection#onWireData} again and to seal pending data,
     * e.g. after keys were computed on a worker. Safe from any thread.
     */
    void wakeup();
}
