package dev.tuncrypt.daemon.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tuncrypt.daemon.control.ControlTarget;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpstack.NetStack;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tuncryptd --metrics ADDR:PORT}: an HTTP endpoint bound to that one address (the JDK's
 * {@code com.sun.net.httpserver}), answering {@code GET /metrics} (and HEAD) with
 * {@link DaemonMetrics} in the Prometheus text format 0.0.4. Other paths get 404, other methods
 * 405. One thread serves scrapes, so a slow scraper cannot multiply the daemon's work.
 * Metrics carry no secrets: counts and latencies only, never keys or session IDs.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    /** The path scraped. */
    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves the daemon's metrics on {@code address} (port 0: any free port, see {@link #address()}). */
    public static MetricsServer start(InetSocketAddress address, ControlTarget target, NetStack stack, TcpCrypt crypt)
            throws IOException {
        return start(address, new DaemonMetrics(target, stack, crypt));
    }

    /** Serves {@code metrics} on {@code address}. */
    public static MetricsServer start(InetSocketAddress address, DaemonMetrics metrics) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 8);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("tuncrypt-metrics").daemon(true).factory());
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, metrics));
        server.start();
        MetricsServer s = new MetricsServer(server, executor);
        log.info("metrics on http://{}{}", hostPort(s.address()), PATH);
        return s;
    }

    private static void handle(HttpExchange exchange, DaemonMetrics metrics) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!PATH.equals(path)) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found: metrics are at " + PATH + "\n", method);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed: use GET\n", method);
                return;
            }
            String body;
            try {
                body = metrics.scrape();
            } catch (RuntimeException e) {
                log.warn("metrics scrape failed: {}", e.getMessage());
                reply(exchange, 500, "text/plain; charset=utf-8", "scrape failed: " + e.getMessage() + "\n", method);
                return;
            }
            reply(exchange, 200, ExpositionWriter.CONTENT_TYPE, body, method);
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(bytes);
        }
    }

    /** Where it listens (the bound port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /** Stops serving (a scrape in progress gets up to a second to finish). */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
