package dev.tuncrypt.tun;

import java.nio.ByteBuffer;

/**
 * The few libc functions and Linux constants that TUN devices, interface configuration and
 * network namespaces need, bound with jnr-ffi. Obtain the instance through {@link Native#LIBC}.
 *
 * <p>Memory arguments are raw addresses of direct buffers ({@link Native#address}), so reads and
 * writes go straight between the kernel and the caller's buffer, without a copy or an allocation.
 * Every call records {@code errno}, read with {@link Native#errno()} on the same thread right
 * after a call returned -1.
 *
 * <p>Public only because jnr-ffi implements it from another class loader.
 */
public interface LibC {
    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int F_GETFL = 3;
    int F_SETFL = 4;

    int AF_INET = 2;
    int AF_INET6 = 10;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;

    short POLLIN = 0x1;
    int EFD_NONBLOCK = 0x800;
    int EFD_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;

    /** Length of an interface name buffer, including the terminating NUL. */
    int IFNAMSIZ = 16;
    /** Size of {@code struct ifreq} on 64-bit Linux. */
    int IFREQ_SIZE = 40;
    /** Size of {@code struct in6_ifreq}: in6_addr, u32 prefix length, int ifindex. */
    int IN6_IFREQ_SIZE = 24;

    long TUNSETIFF = 0x400454caL;
    long TUNSETOFFLOAD = 0x400454d0L;
    long TUNSETVNETHDRSZ = 0x400454d8L;
    long TUNGETFEATURES = 0x800454cfL;
    short IFF_TUN = 0x1;
    short IFF_MULTI_QUEUE = 0x100;
    short IFF_NO_PI = 0x1000;
    short IFF_VNET_HDR = 0x4000;

    long SIOCGIFFLAGS = 0x8913;
    long SIOCSIFFLAGS = 0x8914;
    long SIOCGIFADDR = 0x8915;
    long SIOCSIFADDR = 0x8916;
    long SIOCSIFNETMASK = 0x891c;
    long SIOCGIFMTU = 0x8921;
    long SIOCSIFMTU = 0x8922;
    long SIOCGIFTXQLEN = 0x8942;
    long SIOCSIFTXQLEN = 0x8943;
    long SIOCGIFINDEX = 0x8933;
    long SIOCDIFADDR = 0x8936;
    short IFF_UP = 0x1;

    int open(String path, int flags);

    int close(int fd);

    /** {@code ioctl} whose argument points at {@code arg}'s memory (a direct buffer). */
    int ioctl(int fd, long request, ByteBuffer arg);

    /** {@code ioctl} whose argument is a plain integer. */
    int ioctl(int fd, long request, long arg);

    long read(int fd, long address, long count);

    long write(int fd, long address, long count);

    /** {@code readv}; {@code iov} is the address of {@code iovcnt} {@code struct iovec}s. */
    long readv(int fd, long iov, int iovcnt);

    /** {@code writev}; {@code iov} is the address of {@code iovcnt} {@code struct iovec}s. */
    long writev(int fd, long iov, int iovcnt);

    /** {@code poll}; {@code fds} is the address of {@code nfds} {@code struct pollfd}s. */
    int poll(long fds, long nfds, int timeoutMillis);

    int eventfd(int initialValue, int flags);

    int fcntl(int fd, int cmd, int arg);

    int socket(int domain, int type, int protocol);

    int setns(int fd, int nstype);

    String strerror(int errnum);
}
