package dev.tuncrypt.daemon;

import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tun.PacketLink;
import dev.tuncrypt.tun.PcapTap;
import dev.tuncrypt.tun.PcapWriter;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import dev.tuncrypt.tun.TunException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running daemon: the TUN device, its addresses, an optional pcap tap and the stack. Built in
 * that order and torn down in reverse, so a failure half-way leaves nothing behind.
 */
final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final TunDevice device;
    private final PcapWriter pcap;
    private final NetStack stack;
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    private Daemon(TunDevice device, PcapWriter pcap, NetStack stack) {
        this.device = device;
        this.pcap = pcap;
        this.stack = stack;
    }

    static Daemon start(DaemonOptions options, PrintWriter err) throws DaemonException {
        TunDevice device = null;
        PcapWriter pcap = null;
        try {
            TunConfig config = TunConfig.of(options.tunName).withQueues(options.queues).withMtu(options.mtu);
            device = TunDevice.open(config);
            for (Cidr c : options.kernelAddresses) {
                device.addAddress(c.address(), c.prefixLength());
            }
            device.setUp(true);
            warnUnroutable(options);
            if (options.pcap != null) {
                pcap = PcapWriter.create(options.pcap);
            }
            NetStack.Builder builder = NetStack.builder();
            for (int q = 0; q < device.queues(); q++) {
                PacketLink link = device.queue(q);
                builder.link(pcap == null ? link : new PcapTap(link, pcap));
            }
            for (InetAddress a : options.stackAddresses) {
                builder.address(a);
            }
            NetStack stack = builder.build();
            stack.start();
            Daemon d = new Daemon(device, pcap, stack);
            err.println(d.summary(options));
            return d;
        } catch (TunException e) {
            closeQuietly(pcap);
            closeQuietly(device);
            throw new DaemonException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(pcap);
            closeQuietly(device);
            throw new DaemonException("cannot start: " + e.getMessage(), e);
        }
    }

    private static void warnUnroutable(DaemonOptions options) {
        for (InetAddress a : options.stackAddresses) {
            if (options.kernelAddresses.stream().noneMatch(c -> c.contains(a))) {
                log.warn("stack address {} is inside no --tun-addr prefix: the kernel needs a route to reach it",
                        a.getHostAddress());
            }
        }
    }

    private String summary(DaemonOptions options) {
        String kernel = options.kernelAddresses.isEmpty()
                ? "none"
                : options.kernelAddresses.stream().map(Cidr::toString).collect(Collectors.joining(" "));
        String own = options.stackAddresses.stream().map(com.google.common.net.InetAddresses::toAddrString).collect(Collectors.joining(" "));
        return "tuncryptd " + Version.NUMBER + ": device " + device.name()
                + (device.createdByUs() ? " (created)" : " (attached)")
                + " mtu " + options.mtu + ", " + device.queues() + (device.queues() == 1 ? " queue" : " queues")
                + "; kernel " + kernel + "; stack " + own
                + (options.pcap != null ? "; pcap " + options.pcap : "")
                + "; ready";
    }

    /** Blocks until SIGINT or SIGTERM. */
    void awaitSignal() {
        Signals.onTermination(stopSignal::countDown);
        try {
            stopSignal.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping");
    }

    @Override
    public void close() {
        stack.close();
        closeQuietly(pcap);
        closeQuietly(device);
        log.debug("stopped; drops: {}", stack.counters());
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("while cleaning up: {}", e.getMessage());
        }
    }
}
