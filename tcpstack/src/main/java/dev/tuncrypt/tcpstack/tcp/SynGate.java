package dev.tuncrypt.tcpstack.tcp;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Decides whether a connection to a transparent listener goes ahead: what a proxy needs to
 * connect onward first, so that a refused, unreachable or unprotected destination reaches the
 * client as a refused connection (RST in reply to its SYN) rather than a connection that opens
 * and then breaks.
 *
 * <p>When the gate is asked is its {@link #timing}:
 * <ul>
 * <li>{@link Timing#BEFORE_SYN_ACK} (the default): the first SYN of a flow is held and offered to
 * {@link #onSyn}; repeated SYNs of that flow are dropped (counted) while it decides; once it has
 * decided, the held SYN runs through the listener as if it had just arrived (true: SYN-ACK;
 * false: RST). A bare SYN proves nothing about its source address (RFC 4987 §2), so whatever
 * {@code onSyn} starts may be for a spoofed source that never completes the handshake.
 * <li>{@link Timing#AFTER_HANDSHAKE}: the SYN is answered at once (SYN cache, no gate state);
 * {@link #onSyn} is called only when the client's ACK has completed the three-way handshake
 * (so the source address is proven), and the connection reaches the accept queue only when the
 * decision is true; false resets it. A SYN whose handshake never completes never reaches the
 * gate.
 * </ul>
 */
public interface SynGate {
    /** When {@link #onSyn} is asked about a SYN. */
    enum Timing {
        /** On the SYN, before the SYN-ACK (connect first; the source is not proven). */
        BEFORE_SYN_ACK,
        /** When the three-way handshake has completed, before the accept queue. */
        AFTER_HANDSHAKE
    }

    /**
     * A new connection to decide. Called on the stack loop; must not block. {@code decision} must
     * be called exactly once, from any thread: true lets the connection through, false refuses it
     * (a reset).
     *
     * @param local the SYN's destination (the client's original destination)
     * @param remote the SYN's source
     * @param offersEno whether the SYN offered TCP-ENO ({@link dev.tuncrypt.tcpstack.wire.TcpOptions#offersEno()})
     */
    void onSyn(InetSocketAddress local, InetSocketAddress remote, boolean offersEno, Consumer<Boolean> decision);

    /**
     * When to ask {@link #onSyn} about this SYN; called on the stack loop for each new SYN of a
     * flow, must not block.
     */
    default Timing timing(InetSocketAddress local, InetSocketAddress remote, boolean offersEno) {
        return Timing.BEFORE_SYN_ACK;
    }

    /**
     * {@code gate}, asked after the handshake for SYNs that offer TCP-ENO (peers steered to a
     * served port, whose source addresses anyone can forge) and before the SYN-ACK for the rest
     * (local applications, whose connect should fail as the destination refuses).
     */
    static SynGate deferringEno(SynGate gate) {
        return new SynGate() {
            @Override
            public void onSyn(InetSocketAddress local, InetSocketAddress remote, boolean offersEno,
                    Consumer<Boolean> decision) {
                gate.onSyn(local, remote, offersEno, decision);
            }

            @Override
            public Timing timing(InetSocketAddress local, InetSocketAddress remote, boolean offersEno) {
                return offersEno ? Timing.AFTER_HANDSHAKE : Timing.BEFORE_SYN_ACK;
            }
        };
    }
}
