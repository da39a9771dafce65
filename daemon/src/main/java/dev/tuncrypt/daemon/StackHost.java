package dev.tuncrypt.daemon;

import com.google.common.net.InetAddresses;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tun.PacketLink;
import dev.tuncrypt.tun.PcapTap;
import dev.tuncrypt.tun.PcapWriter;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import dev.tuncrypt.tun.TunException;
import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running stack on a TUN device: the device, its kernel-side addresses, an optional pcap tap
 * and the {@link NetStack}. Built in that order and torn down in reverse, so a failure half-way
 * leaves nothing behind.
 */
public final class StackHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StackHost.class);

    private final TunDevice device;
    private final PcapWriter pcap;
    private final NetStack stack;
    private final DeviceOptions options;

    private StackHost(TunDevice device, PcapWriter pcap, NetStack stack, DeviceOptions options) {
        this.device = device;
        this.pcap = pcap;
        this.stack = stack;
        this.options = options;
    }

    /** Opens the device and starts the stack; {@code customize} may adjust the stack's builder. */
    public static StackHost open(DeviceOptions options, Consumer<NetStack.Builder> customize) throws DaemonException {
        TunDevice device = null;
        PcapWriter pcap = null;
        try {
            TunConfig config = TunConfig.of(options.tunName).withQueues(options.queues).withMtu(options.mtu)
                    .withTcpOffloads(!options.noOffload);
            device = TunDevice.open(config);
            for (Cidr c : options.kernelAddresses) {
                device.addAddress(c.address(), c.prefixLength());
            }
            if (device.createdByUs()) {
                device.setTxQueueLength(options.txQueueLength);
            }
            device.setUp(true);
            warnUnroutable(options);
            if (options.pcap != null) {
                pcap = PcapWriter.create(options.pcap, PcapWriter.SYSTEM_MICROS, options.pcapSnaplen); // 0600
            }
            long memory = options.memoryBytes > 0 ? options.memoryBytes : dev.tuncrypt.tcpstack.MemoryBudget.defaultBytes();
            NetStack.Builder builder = NetStack.builder().memory(dev.tuncrypt.tcpstack.MemoryBudget.of(memory));
            if (options.processBudget != null) {
                log.info("memory: {}", options.processBudget);
            } else {
                log.debug("memory budget {} MiB for connection buffers (no --memory: three quarters of the direct-memory limit)",
                        memory >> 20);
            }
            for (int q = 0; q < device.queues(); q++) {
                PacketLink link = device.queue(q);
                builder.link(pcap == null ? link : new PcapTap(link, pcap));
            }
            for (InetAddress a : options.stackAddresses) {
                builder.address(a);
            }
            customize.accept(builder);
            NetStack stack = builder.build();
            stack.start();
            return new StackHost(device, pcap, stack, options);
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

    private static void warnUnroutable(DeviceOptions options) {
        for (InetAddress a : options.stackAddresses) {
            if (options.kernelAddresses.stream().noneMatch(c -> c.contains(a))) {
                log.warn("stack address {} is inside no --tun-addr prefix: the kernel needs a route to reach it",
                        InetAddresses.toAddrString(a));
            }
        }
    }

    public NetStack stack() {
        return stack;
    }

    /** The device and stack for {@code tuncrypt status}: name to value, in display order. */
    java.util.Map<String, String> facts() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("device", device.name() + (device.createdByUs() ? " (created)" : " (attached)"));
        m.put("mtu", Integer.toString(options.mtu));
        m.put("queues", Integer.toString(device.queues()));
        var q = device.queue(0);
        m.put("offloads", q.segmentationOffload() ? "checksum, tso"
                : q.checksumOffload() ? "checksum" : "off");
        m.put("kernel addresses", options.kernelAddresses.isEmpty() ? "none"
                : options.kernelAddresses.stream().map(Cidr::toString).collect(Collectors.joining(" ")));
        m.put("stack addresses", options.stackAddresses.stream().map(InetAddresses::toAddrString)
                .collect(Collectors.joining(" ")));
        if (options.pcap != null) {
            m.put("pcap", options.pcap.toString());
        }
        return m;
    }

    /** One line: device, addresses, pcap. */
    String describe() {
        String kernel = options.kernelAddresses.isEmpty()
                ? "none"
                : options.kernelAddresses.stream().map(Cidr::toString).collect(Collectors.joining(" "));
        String own = options.stackAddresses.stream().map(InetAddresses::toAddrString).collect(Collectors.joining(" "));
        return "device " + device.name() + (device.createdByUs() ? " (created)" : " (attached)")
                + " mtu " + options.mtu + ", " + device.queues() + (device.queues() == 1 ? " queue" : " queues")
                + "; kernel " + kernel + "; stack " + own
                + (options.pcap != null ? "; pcap " + options.pcap : "");
    }

    @Override
    public void close() {
        stack.close();
        closeQuietly(pcap);
        closeQuietly(device);
        log.debug("stopped; counters: {}", stack.counters());
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
