package dev.tuncrypt.tcpstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.tcpstack.testsupport.KernelPeerFixture;
import dev.tuncrypt.tcpstack.testsupport.Requirements;
import dev.tuncrypt.tcpstack.testsupport.TestNamespace;
import dev.tuncrypt.tun.Netns;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Linux kernel as the peer: the stack runs on a real TUN device in a namespace this test
 * creates ({@code kernel 198.18.7.1 ── tun ── stack 198.18.7.2}), and the kernel's own ping,
 * TCP and UDP talk to it.
 */
class KernelPeerOverTunTest {
    private KernelPeerFixture f;
    private TestNamespace ns;
    private NetStack stack;

    @BeforeEach
    void up() throws Exception {
        Requirements.rootAndTun();
        Requirements.command("ping", "iputils-ping");
        f = KernelPeerFixture.start("tcstack");
        ns = f.ns();
        stack = f.stack();
    }

    @AfterEach
    void down() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void kernelPingGetsEveryReply() throws Exception {
        Netns.Result r = ns.run("ping", "-c", "200", "-i", "0.005", "-W", "2", "-q", "198.18.7.2");
        assertThat(r.output()).contains("200 packets transmitted, 200 received", " 0% packet loss");
        assertThat(r.exitCode()).isZero();
        assertThat(stack.counters().echoReplies()).isEqualTo(200);
    }

    @Test
    void kernelPing6GetsReplies() throws Exception {
        Netns.Result r = ns.run("ping", "-6", "-c", "20", "-i", "0.01", "-W", "2", "-q", "2001:2:0:7::2");
        assertThat(r.output()).contains("20 packets transmitted, 20 received");
    }

    @Test
    void largePingIsFragmentedReassembledAndAnswered() throws Exception {
        Netns.Result r = ns.run("ping", "-c", "5", "-i", "0.05", "-s", "6000", "-W", "2", "-q", "198.18.7.2");
        assertThat(r.output()).contains("5 packets transmitted, 5 received");
        assertThat(stack.counters().datagramsReassembled()).isEqualTo(5);
    }

    @Test
    void tcpConnectToClosedPortIsRefusedAtOnce() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> ns.exec(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("198.18.7.2", 9), 3000);
            }
            return null;
        })).isInstanceOf(ConnectException.class).hasMessageContaining("refused");
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
        assertThatThrownBy(() -> ns.exec(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("2001:2:0:7::2", 9), 3000);
            }
            return null;
        })).isInstanceOf(ConnectException.class).hasMessageContaining("refused");
        assertThat(stack.counters().resetsSent()).isEqualTo(2);
    }

    @Test
    void udpToClosedPortGetsPortUnreachable() throws Exception {
        assertThatThrownBy(() -> ns.exec(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.connect(new InetSocketAddress("198.18.7.2", 9999));
                s.setSoTimeout(2000);
                s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3));
                s.receive(new DatagramPacket(new byte[16], 16));
            }
            return null;
        })).isInstanceOf(PortUnreachableException.class);
    }
}
