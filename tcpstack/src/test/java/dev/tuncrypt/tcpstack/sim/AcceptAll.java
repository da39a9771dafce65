package dev.tuncrypt.tcpstack.sim;

import dev.tuncrypt.tcpstack.tcp.ListenEndpoint;
import dev.tuncrypt.tcpstack.tcp.TcpConnection;
import dev.tuncrypt.tcpstack.tcp.TcpLayer;
import java.util.function.Consumer;

/** An accept sink for loop-level tests: never full, hands each accepted connection to a callback. */
public final class AcceptAll implements ListenEndpoint.AcceptSink {
    private final Consumer<TcpConnection> onAccept;

    private AcceptAll(Consumer<TcpConnection> onAccept) {
        this.onAccept = onAccept;
    }

    public static AcceptAll calling(Consumer<TcpConnection> onAccept) {
        return new AcceptAll(onAccept);
    }

    @Override
    public boolean full() {
        return false;
    }

    @Override
    public void accept(TcpConnection connection, TcpLayer layer) {
        onAccept.accept(connection);
    }
}
