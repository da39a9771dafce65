package dev.tuncrypt.tcpstack.tcp;

/**
 * A listener's presence on one loop: the port (or every address and port, when transparent),
 * the connection settings, the half-open connections ({@link SynCache}, loop-confined), and the
 * sink where established connections go, shared by the loops of one listener.
 */
public final class ListenEndpoint {
    /** Where established connections go; shared between loops, so thread-safe. */
    public interface AcceptSink {
        /** Whether the accept queue is at its backlog. */
        boolean full();

        /** A connection completed its handshake on {@code layer}'s loop. */
        void accept(TcpConnection connection, TcpLayer layer);

        /** The stack is closing. */
        default void closed() {}
    }

    final int port;
    final boolean transparent;
    final TcpConfig config;
    final int synBacklog;
    final AcceptSink sink;
    /** This listener's own protection, or null for the stack's. */
    final SegmentProtection.Factory protection;
    /** Decides each SYN before the SYN-ACK (transparent listeners only), or null. */
    final SynGate gate;
    TcpLayer layer;
    /** Half-open connections on this loop, at most {@link #synBacklog}. */
    final SynCache halfOpen;

    public ListenEndpoint(int port, boolean transparent, TcpConfig config, AcceptSink sink) {
        this(port, transparent, config, sink, null);
    }

    /** With the listener's own protection (null: the stack's). */
    public ListenEndpoint(int port, boolean transparent, TcpConfig config, AcceptSink sink,
            SegmentProtection.Factory protection) {
        this(port, transparent, config, sink, protection, null);
    }

    /** With the listener's own protection (null: the stack's) and a SYN gate (null: none). */
    public ListenEndpoint(int port, boolean transparent, TcpConfig config, AcceptSink sink,
            SegmentProtection.Factory protection, SynGate gate) {
        if (gate != null && !transparent) {
            throw new IllegalArgumentException("a SYN gate is for transparent listeners");
        }
        this.gate = gate;
        this.protection = protection;
        this.port = port;
        this.transparent = transparent;
        this.config = config;
        this.synBacklog = config.synBacklog();
        this.halfOpen = new SynCache(Math.max(1, synBacklog));
        this.sink = sink;
    }

    SegmentProtection.Factory protectionOr(SegmentProtection.Factory stackDefault) {
        return protection != null ? protection : stackDefault;
    }

    boolean acceptQueueFull() {
        return sink.full();
    }

    void deliver(TcpConnection c) {
        sink.accept(c, c.layer);
    }

    void closed() {
        sink.closed();
    }

    /** Half-open connections on this loop. */
    public int halfOpen() {
        return halfOpen.size();
    }
}
