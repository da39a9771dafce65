package dev.tuncrypt.tun;

import static dev.tuncrypt.tun.LibC.AF_INET;
import static dev.tuncrypt.tun.LibC.AF_INET6;
import static dev.tuncrypt.tun.Native.LIBC;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Configures network interfaces with ioctls on datagram sockets. The sockets are created when this
 * object is, and a socket acts in the network namespace it was created in: so an interface opened
 * inside a namespace (see {@link Netns#exec}) stays configurable from any thread afterwards.
 *
 * <p>IPv4 addresses are set the ioctl way, one per label: the first free label among
 * {@code NAME}, {@code NAME:0}, {@code NAME:1}, ... is used, so an address already on the device
 * is never replaced. IPv6 addresses use {@code struct in6_ifreq} on an AF_INET6 socket.
 */
final class InterfaceControl implements AutoCloseable {
    private static final int IFR_DATA = 16;

    private final int inetFd;
    /** -1 when the namespace has no IPv6. */
    private final int inet6Fd;

    private InterfaceControl(int inetFd, int inet6Fd) {
        this.inetFd = inetFd;
        this.inet6Fd = inet6Fd;
    }

    /** Opens the control sockets in the calling thread's network namespace. */
    static InterfaceControl open() throws TunException {
        int inet = LIBC.socket(AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (inet < 0) {
            throw TunException.of("socket(AF_INET)", "control socket", Native.errno());
        }
        int inet6 = LIBC.socket(AF_INET6, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (inet6 < 0) {
            int errno = Native.errno();
            if (!Errno.EAFNOSUPPORT.matches(errno)) {
                LIBC.close(inet);
                throw TunException.of("socket(AF_INET6)", "control socket", errno);
            }
        }
        return new InterfaceControl(inet, inet6);
    }

    /** The interface index of {@code name}, or -1 if no such interface exists. */
    int index(String name) throws TunException {
        ByteBuffer ifr = ifreq(name);
        if (LIBC.ioctl(inetFd, LibC.SIOCGIFINDEX, ifr) < 0) {
            int errno = Native.errno();
            if (Errno.ENODEV.matches(errno)) {
                return -1;
            }
            throw TunException.of("SIOCGIFINDEX", name, errno);
        }
        return ifr.getInt(IFR_DATA);
    }

    int mtu(String name) throws TunException {
        ByteBuffer ifr = ifreq(name);
        check(LIBC.ioctl(inetFd, LibC.SIOCGIFMTU, ifr), "SIOCGIFMTU", name);
        return ifr.getInt(IFR_DATA);
    }

    int txQueueLength(String name) throws TunException {
        ByteBuffer ifr = ifreq(name);
        check(LIBC.ioctl(inetFd, LibC.SIOCGIFTXQLEN, ifr), "SIOCGIFTXQLEN", name);
        return ifr.getInt(IFR_DATA);
    }

    void setTxQueueLength(String name, int packets) throws TunException {
        ByteBuffer ifr = ifreq(name).putInt(IFR_DATA, packets);
        check(LIBC.ioctl(inetFd, LibC.SIOCSIFTXQLEN, ifr), "SIOCSIFTXQLEN", name);
    }

    void setMtu(String name, int mtu) throws TunException {
        ByteBuffer ifr = ifreq(name).putInt(IFR_DATA, mtu);
        if (LIBC.ioctl(inetFd, LibC.SIOCSIFMTU, ifr) < 0) {
            int errno = Native.errno();
            if (Errno.EINVAL.matches(errno)) {
                throw new TunException("SIOCSIFMTU", errno, name + ": the kernel refused MTU " + mtu);
            }
            throw TunException.of("SIOCSIFMTU", name, errno);
        }
    }

    boolean isUp(String name) throws TunException {
        return (flags(name) & LibC.IFF_UP) != 0;
    }

    void setUp(String name, boolean up) throws TunException {
        short flags = flags(name);
        short wanted = (short) (up ? flags | LibC.IFF_UP : flags & ~LibC.IFF_UP);
        if (wanted != flags) {
            ByteBuffer ifr = ifreq(name).putShort(IFR_DATA, wanted);
            check(LIBC.ioctl(inetFd, LibC.SIOCSIFFLAGS, ifr), "SIOCSIFFLAGS", name);
        }
    }

    private short flags(String name) throws TunException {
        ByteBuffer ifr = ifreq(name);
        check(LIBC.ioctl(inetFd, LibC.SIOCGIFFLAGS, ifr), "SIOCGIFFLAGS", name);
        return ifr.getShort(IFR_DATA);
    }

    /**
     * Adds an IPv4 address with its prefix route under the first free label of {@code name}.
     *
     * @return the label that now holds the address, for {@link #removeIpv4}
     */
    String addIpv4(String name, Inet4Address address, int prefixLength) throws TunException {
        String label = freeLabel(name);
        setIpv4(label, LibC.SIOCSIFADDR, address.getAddress(), "SIOCSIFADDR");
        try {
            int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
            byte[] maskBytes = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
            setIpv4(label, LibC.SIOCSIFNETMASK, maskBytes, "SIOCSIFNETMASK");
        } catch (TunException e) {
            removeIpv4(label);
            throw e;
        }
        return label;
    }

    /** Removes the IPv4 address held by {@code label} (setting 0.0.0.0 deletes it). */
    void removeIpv4(String label) throws TunException {
        setIpv4(label, LibC.SIOCSIFADDR, new byte[4], "SIOCSIFADDR 0.0.0.0");
    }

    void addIpv6(String name, int ifIndex, Inet6Address address, int prefixLength) throws TunException {
        ipv6(LibC.SIOCSIFADDR, "SIOCSIFADDR", name, ifIndex, address, prefixLength);
    }

    void removeIpv6(String name, int ifIndex, Inet6Address address, int prefixLength) throws TunException {
        ipv6(LibC.SIOCDIFADDR, "SIOCDIFADDR", name, ifIndex, address, prefixLength);
    }

    @Override
    public void close() {
        LIBC.close(inetFd);
        if (inet6Fd >= 0) {
            LIBC.close(inet6Fd);
        }
    }

    private void ipv6(long request, String op, String name, int ifIndex, Inet6Address address, int prefixLength)
            throws TunException {
        if (inet6Fd < 0) {
            throw new TunException(op, Errno.EAFNOSUPPORT.code(),
                    name + ": IPv6 is not available in this network namespace");
        }
        ByteBuffer req = ByteBuffer.allocateDirect(LibC.IN6_IFREQ_SIZE).order(ByteOrder.nativeOrder());
        req.put(0, address.getAddress()).putInt(16, prefixLength).putInt(20, ifIndex);
        if (LIBC.ioctl(inet6Fd, request, req) < 0) {
            int errno = Native.errno();
            String text = address.getHostAddress() + "/" + prefixLength;
            if (Errno.EEXIST.matches(errno)) {
                throw new TunException(op, errno, name + " already has " + text);
            }
            if (Errno.EADDRNOTAVAIL.matches(errno)) {
                throw new TunException(op, errno, name + " does not have " + text);
            }
            throw TunException.of(op, name + " " + text, errno);
        }
    }

    private String freeLabel(String name) throws TunException {
        for (int i = -1; ; i++) {
            String label = i < 0 ? name : name + ":" + i;
            if (label.length() >= LibC.IFNAMSIZ) {
                throw new TunException("SIOCGIFADDR", 0,
                        name + ": no free IPv4 address label left (the ioctl interface holds one address per label)");
            }
            ByteBuffer ifr = ifreq(label);
            if (LIBC.ioctl(inetFd, LibC.SIOCGIFADDR, ifr) < 0) {
                int errno = Native.errno();
                if (Errno.EADDRNOTAVAIL.matches(errno)) {
                    return label;
                }
                throw TunException.of("SIOCGIFADDR", label, errno);
            }
        }
    }

    private void setIpv4(String label, long request, byte[] address, String op) throws TunException {
        ByteBuffer ifr = ifreq(label);
        ifr.putShort(IFR_DATA, (short) AF_INET).put(IFR_DATA + 4, address);
        check(LIBC.ioctl(inetFd, request, ifr), op, label);
    }

    /** A zeroed {@code struct ifreq} holding {@code name}. */
    static ByteBuffer ifreq(String name) {
        ByteBuffer ifr = ByteBuffer.allocateDirect(LibC.IFREQ_SIZE).order(ByteOrder.nativeOrder());
        ifr.put(0, name.getBytes(StandardCharsets.UTF_8));
        return ifr;
    }

    /** The NUL-terminated name at the start of an {@code ifreq}. */
    static String ifreqName(ByteBuffer ifr) {
        byte[] bytes = new byte[LibC.IFNAMSIZ];
        ifr.get(0, bytes);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private static void check(int result, String op, String subject) throws TunException {
        if (result < 0) {
            throw TunException.of(op, subject, Native.errno());
        }
    }
}
