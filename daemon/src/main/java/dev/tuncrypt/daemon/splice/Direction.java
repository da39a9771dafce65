package dev.tuncrypt.daemon.splice;

/** Which way a spliced connection goes. */
public enum Direction {
    /**
     * A local application's plain connection routed into the TUN device (leg 1); leg 2 is the
     * stack's own connection to the original destination, with tcpcrypt.
     */
    OUTBOUND,
    /**
     * A remote peer's tcpcrypt connection steered to the stack (leg 1, encrypted); leg 2 is a
     * plain connection to the local service through the TUN device, from the peer's own address
     * and port, opened once leg 1's handshakes are done.
     */
    INBOUND
}
