package dev.tuncrypt.it.harness;

import org.junit.jupiter.api.TestInfo;

/**
 * The common shape: peers {@code a} and {@code b} on one network, each routing the other's TUN
 * subnet ({@code 198.18.1.0/24} and {@code 198.18.2.0/24}).
 */
public final class TwoPeers implements AutoCloseable {
    public final PeerNetwork network;
    public final Peer a;
    public final Peer b;

    private TwoPeers(PeerNetwork network, Peer a, Peer b) {
        this.network = network;
        this.a = a;
        this.b = b;
    }

    public static TwoPeers start(TestInfo info) throws Exception {
        PeerNetwork net = PeerNetwork.create(info);
        try {
            Peer a = net.peer("a");
            Peer b = net.peer("b");
            net.route();
            return new TwoPeers(net, a, b);
        } catch (Exception | Error e) {
            net.close();
            throw e;
        }
    }

    @Override
    public void close() {
        network.close();
    }
}
