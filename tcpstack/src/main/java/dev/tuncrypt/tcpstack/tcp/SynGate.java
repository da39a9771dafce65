package dev.tuncrypt.tcpstack.tcp;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Decides, before the SYN-ACK, whether a connection to a transparent listener goes ahead: what a
 * proxy needs to connect onward first, so that a refused, unreachable or unprotected destination
 * reaches the client as a refused connection (RST in reply to its SYN) rather than a connection
 * that opens and then breaks. While a SYN waits for the decision, repeated SYNs of that flow are
 * dropped (counted); once it is decided, the held SYN runs through the listener as if it had
 * just arrived.
 */
public interface SynGate {
    /**
     * A new SYN arrived. Called on the stack loop; must not block. {@code decision} must be called
     * exactly once, from any thread: true lets the SYN through, false answers it with a reset.
     *
     * @param local the SYN's destination (the client's original destination)
     * @param remote the SYN's source
     * @param offersEno whether the SYN offers TCP-ENO ({@link dev.tuncrypt.tcpstack.wire.TcpOptions#offersEno()})
     */
    void onSyn(InetSocketAddress local, InetSocketAddress remote, boolean offersEno, Consumer<Boolean> decision);
}
