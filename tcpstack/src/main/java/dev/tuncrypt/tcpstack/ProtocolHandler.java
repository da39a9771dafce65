package dev.tuncrypt.tcpstack;

/**
 * A transport protocol (TCP, UDP, ...) plugged into a stack loop. Runs on the loop's thread
 * only. {@link #input} must never throw for malformed input: it counts and drops.
 */
public interface ProtocolHandler {

    /** Handles one inbound packet whose IP layer was valid. */
    void input(InboundPacket packet);

    /**
     * Whether this handler takes packets addressed to other hosts (a transparent listener);
     * when false such packets are dropped as {@link DropReason#NOT_FOR_US}.
     */
    default boolean acceptsForeignDestinations() {
        return false;
    }

    /** An ICMP error quoting a packet this protocol sent (already validated by the IP layer). */
    default void onIcmpError(IcmpErrorReport report) {}

    /** Earliest time this handler needs {@link #onTimer} (Long.MAX_VALUE for never). */
    default long nextDeadline() {
        return Long.MAX_VALUE;
    }

    /** Runs what is due at {@code now}. */
    default void onTimer(long now) {}

    /**
     * A batch of packets read in one loop turn is about to be handed to {@link #input}: a handler
     * may hold back what it would send in answer (ACKs, data the ACKs release) until
     * {@link #endBatch}, so one wakeup answers everything it read at once.
     */
    default void beginBatch() {}

    /** The batch is through: send what was held back. */
    default void endBatch() {}

    /** Releases resources when the loop stops. */
    default void close() {}

    /** Creates the handler of one loop. */
    @FunctionalInterface
    interface Factory {
        ProtocolHandler create(LoopContext context);
    }
}
