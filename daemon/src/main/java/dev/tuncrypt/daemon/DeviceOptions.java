package dev.tuncrypt.daemon;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The TUN device and stack addresses, shared by {@code tuncryptd} and {@code tuncrypt nc}. */
public final class DeviceOptions {

    @Option(names = "--tun", paramLabel = "NAME", defaultValue = "tun0",
            description = "TUN device to create or attach to (1-15 characters; default: ${DEFAULT-VALUE}).")
    String tunName;

    @Option(names = "--tun-addr", paramLabel = "ADDR/PREFIX",
            description = "Address for the kernel side of the TUN device, IPv4 or IPv6 (repeatable),"
                    + " e.g. 198.18.7.1/24. Removed again on exit.")
    List<String> tunAddrs = new ArrayList<>();

    @Option(names = "--stack-addr", paramLabel = "ADDR",
            description = "Address the stack owns, IPv4 or IPv6 (repeatable; at least one), e.g. 198.18.7.2."
                    + " It should lie inside a --tun-addr prefix so the kernel routes it into the device.")
    List<String> stackAddrs = new ArrayList<>();

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500",
            description = "MTU of the TUN device, 576-65535 (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1",
            description = "TUN queues, one stack loop each (multi-queue when more than 1; default: ${DEFAULT-VALUE}).")
    int queues;

    @Option(names = "--txqueuelen", paramLabel = "PACKETS", defaultValue = "5000",
            description = "Packets the kernel may queue for the stack on a device it creates (the kernel's default,"
                    + " 500, overflows under load and drops handshake segments; default: ${DEFAULT-VALUE}).")
    int txQueueLength;

    @Option(names = "--no-offload",
            description = "Do not ask the TUN device for offloads (vnet header, checksum offload, TSO4/TSO6): every"
                    + " packet then crosses the device alone, at most one MTU, its checksum computed by the stack."
                    + " By default TCP crosses it in super-packets of up to 64 KiB each way.")
    boolean noOffload;

    @Option(names = "--memory", paramLabel = "SIZE",
            description = "Memory the whole process may keep resident, e.g. 256m or 2g: bin/tuncryptd sizes the JVM's heap"
                    + " from it (a quarter), the JVM's own needs are reserved, and the rest is the connections' buffers, whose"
                    + " windows shrink as they fill; new connections are refused before they run out. Without it the JVM is"
                    + " sized by its defaults and the buffers get three quarters of its direct-memory limit.")
    String memory;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write every packet the stack reads or writes to FILE (pcap, raw IP), for tcpdump or Wireshark."
                    + " The file is created mode 0600 and written as packets pass; it holds the plaintext of every"
                    + " spliced connection unless --pcap-snaplen cuts the payload off.")
    Path pcap;

    @Option(names = "--pcap-snaplen", paramLabel = "BYTES", defaultValue = "65535",
            description = "Bytes of each packet --pcap keeps, 40-65535; 128 records the IP and TCP headers with their"
                    + " options and no payload (default: ${DEFAULT-VALUE}).")
    int pcapSnaplen;

    List<Cidr> kernelAddresses = List.of();
    long memoryBytes;
    /** The split of {@code --memory}; null without it. */
    ProcessBudget processBudget;
    List<InetAddress> stackAddresses = List.of();

    /** Whether {@code --stack-addr} was given (an embedded stack is wanted). */
    public boolean wantsStack() {
        return !stackAddrs.isEmpty();
    }

    /** Checks what the parser cannot: address syntax, ranges, duplicates. */
    public void validate() throws UsageException {
        if (stackAddrs.isEmpty()) {
            throw new UsageException("--stack-addr is required: the stack needs an address of its own");
        }
        if (tunName.isEmpty() || tunName.length() > 15 || tunName.contains("/") || tunName.isBlank()
                || tunName.chars().anyMatch(Character::isWhitespace)) {
            throw new UsageException("--tun '" + tunName + "': a device name has 1-15 characters, no '/' and no spaces");
        }
        if (mtu < 576 || mtu > 65535) {
            throw new UsageException("--mtu " + mtu + ": must be 576-65535");
        }
        if (txQueueLength < 1 || txQueueLength > 1_000_000) {
            throw new UsageException("--txqueuelen " + txQueueLength + ": must be 1-1000000");
        }
        if (pcapSnaplen < 40 || pcapSnaplen > 65535) {
            throw new UsageException("--pcap-snaplen " + pcapSnaplen + ": must be 40-65535");
        }
        if (queues < 1 || queues > 64) {
            throw new UsageException("--queues " + queues + ": must be 1-64");
        }
        if (memory == null) {
            processBudget = null;
            memoryBytes = dev.tuncrypt.tcpstack.MemoryBudget.defaultBytes();
        } else {
            long size = parseSize("--memory", memory);
            if (size < (1L << 20)) {
                throw new UsageException("--memory " + memory + ": must be at least 1m");
            }
            processBudget = JvmReserve.split(size, queues);
            memoryBytes = processBudget.buffers();
        }
        List<Cidr> kernel = new ArrayList<>();
        for (String s : tunAddrs) {
            kernel.add(Cidr.parse(s));
        }
        List<InetAddress> stack = new ArrayList<>();
        for (String s : stackAddrs) {
            InetAddress a = Cidr.literal(s);
            if (stack.contains(a)) {
                throw new UsageException("--stack-addr " + s + " given twice");
            }
            for (Cidr k : kernel) {
                if (k.address().equals(a)) {
                    throw new UsageException("--stack-addr " + s + " is also a --tun-addr: the stack and the kernel need different addresses");
                }
            }
            stack.add(a);
        }
        kernelAddresses = List.copyOf(kernel);
        stackAddresses = List.copyOf(stack);
    }

    /** Bytes from "1048576", "64k", "512m", "2g" (binary units; an optional "b" or "ib" after the letter). */
    static long parseSize(String option, String text) throws UsageException {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b") && t.length() > 1 && Character.isLetter(t.charAt(t.length() - 2))) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> { }
            }
        }
        if (shift > 0) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0 || n > (Long.MAX_VALUE >> 4) >> shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " '" + text + "': a size such as 512m, 2g or 1048576");
        }
    }
}
