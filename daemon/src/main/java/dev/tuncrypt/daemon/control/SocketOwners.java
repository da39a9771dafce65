package dev.tuncrypt.daemon.control;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Finds the uid owning a kernel TCP socket by its 4-tuple, from {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}, so the daemon can fill {@link ConnectionView#ownerUid()} for a spliced
 * connection (the application's socket is a kernel socket). The files list listening and
 * connected sockets of the reader's network namespace; a socket that is only bound does not
 * appear.
 */
public final class SocketOwners {
    private final Path tcp;
    private final Path tcp6;

    /** Reads {@code /proc/net/tcp} and {@code /proc/net/tcp6}. */
    public SocketOwners() {
        this(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    }

    /** Reads the given files (for tests). */
    public SocketOwners(Path tcp, Path tcp6) {
        this.tcp = tcp;
        this.tcp6 = tcp6;
    }

    /**
     * One line of the table.
     *
     * @param local the socket's address
     * @param remote its peer (0.0.0.0:0 or [::]:0 for a listener)
     * @param state the kernel's TCP state number (1 ESTABLISHED ... 10 LISTEN)
     * @param uid the owner
     * @param inode the socket's inode
     */
    public record Entry(InetSocketAddress local, InetSocketAddress remote, int state, int uid, long inode) {}

    /** The uid owning the socket {@code local} &rarr; {@code remote}, or empty if none is listed. */
    public OptionalInt ownerOf(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        InetSocketAddress l = normalize(local);
        InetSocketAddress r = normalize(remote);
        for (Path p : List.of(tcp, tcp6)) {
            Optional<Entry> e = scan(p, l, r);
            if (e.isPresent()) {
                return OptionalInt.of(e.get().uid());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * A socket's 4-tuple as numbers: addresses as IPv6 (IPv4 as IPv4-mapped, so a dual-stack
     * socket's IPv4 peer matches), ports.
     */
    public record Tuple(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
        public static Tuple of(InetSocketAddress local, InetSocketAddress remote) {
            long[] l = words(local.getAddress());
            long[] r = words(remote.getAddress());
            return new Tuple(l[0], l[1], local.getPort(), r[0], r[1], remote.getPort());
        }

        private static long[] words(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length == 4) {
                return new long[] {0, 0xffff_0000_0000L | (Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(b).getInt()))};
            }
            java.nio.ByteBuffer w = java.nio.ByteBuffer.wrap(b);
            return new long[] {w.getLong(), w.getLong()};
        }
    }

    /**
     * Every socket of both tables in one reading, to its owner's uid: a plain scan of the text (no
     * regular expressions, no address objects), so a table of 10,000 sockets reads in milliseconds.
     */
    public java.util.Map<Tuple, Integer> snapshot() throws IOException {
        java.util.Map<Tuple, Integer> all = new java.util.HashMap<>();
        for (Path p : List.of(tcp, tcp6)) {
            byte[] text;
            try {
                text = Files.readAllBytes(p);
            } catch (NoSuchFileException e) {
                continue;
            }
            int at = 0;
            while (at < text.length) {
                int end = at;
                while (end < text.length && text[end] != '\n') {
                    end++;
                }
                TableLine.parse(text, at, end, all);
                at = end + 1;
            }
        }
        return all;
    }

    private static Optional<Entry> scan(Path file, InetSocketAddress local, InetSocketAddress remote)
            throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // no IPv6 in this kernel
        }
        for (int i = 1; i < lines.size(); i++) {
            Entry e;
            try {
                e = parse(lines.get(i));
            } catch (IllegalArgumentException ex) {
                continue;
            }
            if (normalize(e.local()).equals(local) && normalize(e.remote()).equals(remote)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses one table line ({@code net/ipv4/tcp_ipv4.c get_tcp4_sock}): "sl local rem st
     * tx:rx tr:when retrnsmt uid timeout inode ...". Addresses are the kernel's 32-bit words
     * printed with %08X in host order (each word's bytes reversed on little-endian), ports %04X.
     *
     * @throws IllegalArgumentException if the line is not a socket line
     */
    public static Entry parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !f[0].endsWith(":")) {
            throw new IllegalArgumentException("not a socket line: " + line);
        }
        try {
            return new Entry(address(f[1]), address(f[2]), Integer.parseInt(f[3], 16), Integer.parseInt(f[7]),
                    Long.parseLong(f[9]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a socket line: " + line, e);
        }
    }

    private static InetSocketAddress address(String field) {
        int colon = field.indexOf(':');
        if (colon != 8 && colon != 32 || field.length() != colon + 5) {
            throw new IllegalArgumentException("bad address field " + field);
        }
        String hex = field.substring(0, colon);
        byte[] b = new byte[colon / 2];
        for (int w = 0; w < b.length / 4; w++) {
            long word = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
            for (int k = 0; k < 4; k++) { // host order of a little-endian machine
                b[w * 4 + k] = (byte) (word >>> (8 * k));
            }
        }
        int port = Integer.parseInt(field.substring(colon + 1), 16);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** IPv4-mapped IPv6 (a dual-stack socket's IPv4 peer) compares as IPv4. */
    static InetSocketAddress normalize(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip instanceof Inet4Address || ip == null) {
            return a;
        }
        byte[] b = ip.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return a;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return a;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)), a.getPort());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
