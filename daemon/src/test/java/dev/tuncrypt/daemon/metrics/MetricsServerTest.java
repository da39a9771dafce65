package dev.tuncrypt.daemon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuncrypt.daemon.control.ConnectionView.Phase;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tun.Clock;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.MemoryLink;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoint over real HTTP on loopback: status codes, content type, and only the address it was given. */
class MetricsServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private NetStack stack;
    private FakeControlTarget target;

    @BeforeEach
    void stack() {
        MemoryLink.Pair link = MemoryLink.pair(Clock.SYSTEM, 1, FaultModel.NONE, FaultModel.NONE);
        stack = NetStack.builder().link(link.a()).address(InetAddress.ofLiteral("198.18.3.1")).build();
        stack.start();
        target = new FakeControlTarget().add(Phase.ENCRYPTED, "tcpcrypt-0.5", 1, 2, 0);
    }

    @AfterEach
    void close() {
        stack.close();
    }

    private HttpResponse<String> send(String method, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(MetricsServer s, String path) {
        InetSocketAddress a = s.address();
        String host = a.getAddress() instanceof Inet6Address ? "[" + a.getAddress().getHostAddress() + "]"
                : a.getAddress().getHostAddress();
        return URI.create("http://" + host + ":" + a.getPort() + path);
    }

    @Test
    void servesTheExpositionOnLoopbackIpv4() throws Exception {
        try (MetricsServer s = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), target, stack, null)) {
            HttpResponse<String> r = send("GET", uri(s, "/metrics"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            var e = StrictExpositionParser.parse(r.body());
            assertThat(e.value("tuncrypt_connections", "phase", "encrypted", "dialect", "tcpcrypt-0.5")).isEqualTo(1);
            assertThat(e.value("tuncrypt_tcp_open_failures_total", "stage", "handshake")).isZero();
            assertThat(e.value("tuncrypt_tcp_syn_cache_evictions_total", "victim", "oldest")).isZero();
            assertThat(e.value("tuncrypt_tcp_syn_mss_raised_total")).isZero();

            target.add(Phase.PLAIN, "plain", 0, 0, 0); // a second scrape sees the change
            var again = StrictExpositionParser.parse(send("GET", uri(s, "/metrics")).body());
            assertThat(again.value("tuncrypt_connections", "phase", "plain", "dialect", "plain")).isEqualTo(1);

            HttpResponse<String> head = send("HEAD", uri(s, "/metrics"));
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(send("GET", uri(s, "/")).statusCode()).isEqualTo(404);
            assertThat(send("GET", uri(s, "/metrics/x")).statusCode()).isEqualTo(404);
            HttpResponse<String> post = send("POST", uri(s, "/metrics"));
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void listensOnlyOnTheAddressGiven() throws Exception {
        try (MetricsServer s = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), target, stack, null)) {
            int port = s.address().getPort();
            // 127.0.0.2 is loopback too (all of 127/8 is): a wildcard bind would answer there
            assertThatThrownBy(() -> {
                try (Socket sock = new Socket()) {
                    sock.connect(new InetSocketAddress("127.0.0.2", port), 2000);
                }
            }).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void servesOnIpv6Loopback() throws Exception {
        Assumptions.assumeTrue(hasIpv6Loopback(), "no ::1 on this host");
        try (MetricsServer s = MetricsServer.start(new InetSocketAddress("::1", 0), target, stack, null)) {
            assertThat(s.address().getAddress().getHostAddress()).isIn("0:0:0:0:0:0:0:1", "::1");
            HttpResponse<String> r = send("GET", uri(s, "/metrics"));
            assertThat(r.statusCode()).isEqualTo(200);
            StrictExpositionParser.parse(r.body());
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (MetricsServer first = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), target, stack, null)) {
            assertThatThrownBy(() -> MetricsServer.start(first.address(), target, stack, null))
                    .isInstanceOf(IOException.class).hasMessageContaining("cannot serve metrics on");
        }
    }

    private static boolean hasIpv6Loopback() throws IOException {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        return lo != null && Collections.list(lo.getInetAddresses()).stream().anyMatch(a -> a instanceof Inet6Address);
    }
}
