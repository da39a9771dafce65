package dev.tuncrypt.tun;

import static dev.tuncrypt.tun.Native.LIBC;

import java.io.Closeable;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Linux TUN interface ({@code IFF_TUN | IFF_NO_PI}, optionally multi-queue and with a vnet
 * header) and the queues this process holds on it.
 *
 * <p>{@link #open} creates the interface or attaches to an existing one, and remembers which, so
 * that {@link #close()} leaves the system as it found it: addresses added through this object are
 * removed, offloads it set are reset, and a pre-existing interface gets back its MTU and up/down
 * state; an interface this object created disappears with its last descriptor (unless someone made
 * it persistent meanwhile, in which case it is cleaned the same way). If {@code open} fails part
 * way, what it had done is undone before the exception propagates.
 *
 * <p>The interface is configured through sockets created by {@code open}, in the network
 * namespace of the thread that called it (see {@link Netns#exec}); every method works from any
 * thread afterwards. The configuration methods are synchronized; the queues follow
 * {@link PacketLink}'s one-thread rule.
 */
public final class TunDevice implements Closeable {
    private static final String TUN_PATH = "/dev/net/tun";

    private final String name;
    private final TunConfig config;
    private final boolean createdByUs;
    private final int ifIndex;
    private final InterfaceControl control;
    private final List<TunQueue> queues;
    private final boolean offloadsSet;
    private final int originalMtu;
    private final boolean originallyUp;
    private final List<AddedAddress> added = new ArrayList<>();
    private int mtu;
    private boolean closed;

    private record AddedAddress(InetAddress address, int prefixLength, String ipv4Label) {}

    private TunDevice(String name, TunConfig config, boolean createdByUs, int ifIndex, InterfaceControl control,
            List<TunQueue> queues, boolean offloadsSet, int originalMtu, boolean originallyUp) {
        this.name = name;
        this.config = config;
        this.createdByUs = createdByUs;
        this.ifIndex = ifIndex;
        this.control = control;
        this.queues = List.copyOf(queues);
        this.offloadsSet = offloadsSet;
        this.originalMtu = originalMtu;
        this.originallyUp = originallyUp;
        this.mtu = config.mtu();
    }

    /**
     * Opens (creating if needed) the interface {@code config.name()} with one descriptor per
     * queue, each non-blocking, and sets the MTU. The interface is left down: see {@link #setUp}.
     *
     * @throws TunException with a sentence for the user: bad name, no permission, no TUN driver,
     *     interface busy or of another kind
     */
    public static TunDevice open(TunConfig config) throws TunException {
        validateName(config.name());
        InterfaceControl control = InterfaceControl.open();
        List<TunQueue> queues = new ArrayList<>(config.queues());
        String name = config.name();
        boolean offloadsSet = false;
        try {
            boolean existed = !name.contains("%") && control.index(name) >= 0;
            int originalMtu = existed ? control.mtu(name) : config.mtu();
            boolean originallyUp = existed && control.isUp(name);
            short flags = (short) (LibC.IFF_TUN | LibC.IFF_NO_PI
                    | (config.multiQueue() ? LibC.IFF_MULTI_QUEUE : 0)
                    | (config.vnetHdr() ? LibC.IFF_VNET_HDR : 0));
            for (int i = 0; i < config.queues(); i++) {
                int fd = openTunFd();
                try {
                    if (i == 0) {
                        checkFeatures(fd, flags);
                    }
                    name = attach(fd, name, flags, existed, config.multiQueue());
                    setNonBlocking(fd, name);
                    if (config.vnetHdr()) {
                        setVnetHeaderSize(fd, name);
                    }
                    queues.add(new TunQueue(name, i, fd, config));
                } catch (TunException | RuntimeException e) {
                    LIBC.close(fd);
                    throw e;
                }
            }
            if (config.offloads() != 0) {
                setOffloads(queues.getFirst().fd(), name, config.offloads());
                offloadsSet = true;
            }
            if (!existed || originalMtu != config.mtu()) {
                control.setMtu(name, config.mtu());
            }
            int ifIndex = control.index(name);
            int txQueueLength = control.txQueueLength(name);
            queues.forEach(q -> q.receiveQueuePackets(txQueueLength));
            return new TunDevice(name, config, !existed, ifIndex, control, queues, offloadsSet, originalMtu,
                    originallyUp);
        } catch (TunException | RuntimeException e) {
            if (offloadsSet) {
                try {
                    setOffloads(queues.getFirst().fd(), name, 0);
                } catch (TunException undo) {
                    e.addSuppressed(undo);
                }
            }
            queues.forEach(TunQueue::close);
            control.close();
            throw e;
        }
    }

    /**
     * Checks an interface name the way the kernel will: 1-15 bytes, not "." or "..", no '/', ':' or
     * whitespace, and at most one '%', which must start "%d" (the kernel then picks the number).
     *
     * @throws TunException with errno 0 if the kernel would refuse the name
     */
    public static void validateName(String name) throws TunException {
        String problem = null;
        if (name == null || name.isEmpty()) {
            problem = "an interface name must not be empty";
        } else if (name.getBytes(StandardCharsets.UTF_8).length >= LibC.IFNAMSIZ) {
            problem = "interface name '" + name + "' is too long: at most " + (LibC.IFNAMSIZ - 1) + " bytes";
        } else if (name.equals(".") || name.equals("..")) {
            problem = "'" + name + "' cannot be an interface name";
        } else if (name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c == 0)) {
            problem = "interface name '" + name + "' must not contain '/', ':' or whitespace";
        } else {
            int percent = name.indexOf('%');
            if (percent >= 0 && (!name.startsWith("%d", percent) || name.indexOf('%', percent + 1) >= 0)) {
                problem = "interface name '" + name + "' may hold one '%d' (a number the kernel picks) and no other '%'";
            }
        }
        if (problem != null) {
            throw new TunException("validate name", 0, problem);
        }
    }

    /** The interface name (with any {@code %d} resolved). */
    public String name() {
        return name;
    }

    /** The configuration this device was opened with. */
    public TunConfig config() {
        return config;
    }

    /** Number of queues. */
    public int queues() {
        return queues.size();
    }

    /** Queue {@code i}, 0-based. */
    public TunQueue queue(int i) {
        return queues.get(i);
    }

    /** Whether {@link #open} created the interface (rather than attaching to an existing one). */
    public boolean createdByUs() {
        return createdByUs;
    }

    /** The kernel's interface index. */
    public int ifIndex() {
        return ifIndex;
    }

    public synchronized int mtu() {
        return mtu;
    }

    public synchronized void setMtu(int mtu) throws TunException {
        ensureOpen();
        control.setMtu(name, mtu);
        this.mtu = mtu;
        queues.forEach(q -> q.mtu(mtu));
    }

    /**
     * The kernel's queue of packets waiting for this device's reader ({@code txqueuelen}): when
     * the reader falls behind, the kernel drops beyond it.
     */
    public synchronized int txQueueLength() throws TunException {
        ensureOpen();
        int packets = control.txQueueLength(name);
        queues.forEach(q -> q.receiveQueuePackets(packets));
        return packets;
    }

    /** Sets {@code txqueuelen} ({@code SIOCSIFTXQLEN}). */
    public synchronized void setTxQueueLength(int packets) throws TunException {
        ensureOpen();
        if (packets < 1) {
            throw new IllegalArgumentException("txqueuelen must be positive: " + packets);
        }
        control.setTxQueueLength(name, packets);
        queues.forEach(q -> q.receiveQueuePackets(packets));
    }

    /** Brings the interface up or down ({@code IFF_UP}). */
    public synchronized void setUp(boolean up) throws TunException {
        ensureOpen();
        control.setUp(name, up);
    }

    public synchronized boolean isUp() throws TunException {
        ensureOpen();
        return control.isUp(name);
    }

    /**
     * Adds an IPv4 or IPv6 address with its prefix route; {@link #close()} removes it again if the
     * interface outlives this object. An IPv4 address goes under the first free ioctl label
     * ({@code NAME}, {@code NAME:0}, ...), so addresses already there are kept.
     *
     * @throws IllegalArgumentException if the prefix length is out of range for the family
     */
    public synchronized void addAddress(InetAddress address, int prefixLength) throws TunException {
        ensureOpen();
        int maxPrefix = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > maxPrefix) {
            throw new IllegalArgumentException("prefix length must be 0.." + maxPrefix + ": " + prefixLength);
        }
        String label = null;
        if (address instanceof Inet4Address v4) {
            label = control.addIpv4(name, v4, prefixLength);
        } else {
            control.addIpv6(name, ifIndex, (Inet6Address) address, prefixLength);
        }
        added.add(new AddedAddress(address, prefixLength, label));
    }

    /**
     * Removes an address that {@link #addAddress} added.
     *
     * @return false if this object did not add {@code address}
     */
    public synchronized boolean removeAddress(InetAddress address) throws TunException {
        ensureOpen();
        for (int i = 0; i < added.size(); i++) {
            AddedAddress a = added.get(i);
            if (a.address().equals(address)) {
                remove(a);
                added.remove(i);
                return true;
            }
        }
        return false;
    }

    private void remove(AddedAddress a) throws TunException {
        if (a.ipv4Label() != null) {
            control.removeIpv4(a.ipv4Label());
        } else {
            control.removeIpv6(name, ifIndex, (Inet6Address) a.address(), a.prefixLength());
        }
    }

    /**
     * Resets offloads this object set, closes every queue, and, if the interface still exists
     * (it was there before, or became persistent), removes the addresses this object added and
     * restores a pre-existing interface's MTU and up/down state. Idempotent. Every step is tried;
     * the first failure is thrown afterwards with the others suppressed.
     */
    @Override
    public synchronized void close() throws TunException {
        if (closed) {
            return;
        }
        closed = true;
        List<TunException> failures = new ArrayList<>();
        if (offloadsSet) {
            queues.stream().filter(TunQueue::isOpen).findFirst().ifPresent(q -> {
                try {
                    setOffloads(q.fd(), name, 0);
                } catch (TunException e) {
                    failures.add(e);
                }
            });
        }
        queues.forEach(TunQueue::close);
        try {
            if (control.index(name) >= 0) {
                for (int i = added.size() - 1; i >= 0; i--) {
                    try {
                        remove(added.get(i));
                    } catch (TunException e) {
                        failures.add(e);
                    }
                }
                if (!createdByUs) {
                    if (control.mtu(name) != originalMtu) {
                        control.setMtu(name, originalMtu);
                    }
                    control.setUp(name, originallyUp);
                }
            }
        } catch (TunException e) {
            failures.add(e);
        } finally {
            added.clear();
            control.close();
        }
        if (!failures.isEmpty()) {
            TunException first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    @Override
    public String toString() {
        return "TunDevice[" + name + ", " + queues.size() + (queues.size() == 1 ? " queue" : " queues")
                + (createdByUs ? ", created" : ", pre-existing") + (closed ? ", closed]" : "]");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    private static int openTunFd() throws TunException {
        int fd = LIBC.open(TUN_PATH, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd >= 0) {
            return fd;
        }
        int errno = Native.errno();
        if (Errno.ENOENT.matches(errno)) {
            throw new TunException("open " + TUN_PATH, errno,
                    TUN_PATH + " missing — load the tun module (modprobe tun)");
        }
        if (Errno.ENODEV.matches(errno) || Errno.ENXIO.matches(errno)) {
            throw new TunException("open " + TUN_PATH, errno,
                    TUN_PATH + " has no driver behind it — load the tun module (modprobe tun)");
        }
        throw TunException.of("open " + TUN_PATH, TUN_PATH, errno);
    }

    private static void checkFeatures(int fd, short flags) throws TunException {
        ByteBuffer features = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        if (LIBC.ioctl(fd, LibC.TUNGETFEATURES, features) < 0) {
            throw TunException.of("TUNGETFEATURES", TUN_PATH, Native.errno());
        }
        int missing = flags & ~features.getInt(0);
        if ((missing & LibC.IFF_MULTI_QUEUE) != 0) {
            throw new TunException("TUNGETFEATURES", 0, "this kernel's TUN driver has no multi-queue support");
        }
        if ((missing & LibC.IFF_VNET_HDR) != 0) {
            throw new TunException("TUNGETFEATURES", 0, "this kernel's TUN driver has no vnet header support");
        }
    }

    /** {@code TUNSETIFF}; returns the name the kernel gave the interface. */
    private static String attach(int fd, String name, short flags, boolean existed, boolean multiQueue)
            throws TunException {
        ByteBuffer ifr = InterfaceControl.ifreq(name).putShort(16, flags);
        if (LIBC.ioctl(fd, LibC.TUNSETIFF, ifr) >= 0) {
            return InterfaceControl.ifreqName(ifr);
        }
        int errno = Native.errno();
        if (Errno.EBUSY.matches(errno)) {
            throw new TunException("TUNSETIFF", errno, name + " is busy: another process has it open"
                    + " (a single-queue TUN device takes one opener) or all its queues are taken");
        }
        if (Errno.EINVAL.matches(errno)) {
            throw new TunException("TUNSETIFF", errno, existed
                    ? name + " exists but is not a TUN device, or was created "
                            + (multiQueue ? "without" : "with") + " multi-queue"
                    : "the kernel refused to create TUN device " + name + " with flags 0x"
                            + Integer.toHexString(flags & 0xffff));
        }
        throw TunException.of("TUNSETIFF", name, errno);
    }

    private static void setNonBlocking(int fd, String name) throws TunException {
        int flags = LIBC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || LIBC.fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) {
            throw TunException.of("fcntl O_NONBLOCK", name, Native.errno());
        }
    }

    private static void setVnetHeaderSize(int fd, String name) throws TunException {
        ByteBuffer size = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, VnetHeader.SIZE);
        if (LIBC.ioctl(fd, LibC.TUNSETVNETHDRSZ, size) < 0) {
            throw TunException.of("TUNSETVNETHDRSZ", name, Native.errno());
        }
    }

    private static void setOffloads(int fd, String name, int offloads) throws TunException {
        if (LIBC.ioctl(fd, LibC.TUNSETOFFLOAD, offloads) < 0) {
            int errno = Native.errno();
            if (Errno.EINVAL.matches(errno)) {
                throw new TunException("TUNSETOFFLOAD", errno,
                        name + ": the kernel refused offloads 0x" + Integer.toHexString(offloads));
            }
            throw TunException.of("TUNSETOFFLOAD", name, errno);
        }
    }
}
