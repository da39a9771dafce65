package dev.tuncrypt.client.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An AF_UNIX datagram socket through the JDK's foreign-function API (the JDK's own channels have
 * no AF_UNIX datagrams). Receiving can collect the sender's credentials (SO_PASSCRED, then an
 * SCM_CREDENTIALS control message on every datagram: the kernel fills in the sender's real
 * pid/uid/gid; SO_PEERCRED has nothing to report on an unconnected datagram socket). Linux on a
 * 64-bit (LP64) ABI only.
 *
 * <p>Thread-safety: one thread receives; any thread may send.
 */
public final class LinuxDatagramSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PASSCRED = 16;
    private static final int SCM_CREDENTIALS = 2;
    private static final int MSG_TRUNC = 0x20;
    private static final int MSG_DONTWAIT = 0x40;
    private static final short POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** sizeof(struct sockaddr_un). */
    static final int SOCKADDR_UN_SIZE = 110;
    private static final int SUN_PATH_MAX = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;

    private static final MethodHandle SOCKET = fn("socket", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final MethodHandle BIND = fn("bind", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle SETSOCKOPT = fn("setsockopt", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle RECVMSG = fn("recvmsg", SIZE_T, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT);
    private static final MethodHandle SENDTO = fn("sendto", SIZE_T, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, SIZE_T,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle POLL = fn("poll", ValueLayout.JAVA_INT, ValueLayout.ADDRESS, SIZE_T,
            ValueLayout.JAVA_INT);
    private static final MethodHandle CLOSE = fn("close", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256,
                    ValueLayout.JAVA_BYTE)), ValueLayout.JAVA_INT));

    private static MethodHandle fn(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(result, args),
                Linker.Option.captureCallState("errno"));
    }

    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LinuxDatagramSocket(int fd) {
        this.fd = fd;
    }

    /** A socket bound to {@code address} (a path, or an abstract name), or autobound when null. */
    public static LinuxDatagramSocket bind(UnixAddress address) throws IOException {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE);
            fd = (int) SOCKET.invokeExact(cs, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw error("socket(AF_UNIX, SOCK_DGRAM)", errno(cs));
            }
            MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
            int len;
            if (address == null) {
                len = 2; // sa_family only: the kernel autobinds an abstract name
            } else {
                len = address.encode(sa);
            }
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            int rc = (int) BIND.invokeExact(cs, fd, sa, len);
            if (rc != 0) {
                int e = errno(cs);
                int ignored = (int) CLOSE.invokeExact(cs, fd);
                throw error("bind(" + (address == null ? "autobind" : address) + ")", e);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return new LinuxDatagramSocket(fd);
    }

    /** Asks the kernel to attach the sender's credentials to every datagram received (SO_PASSCRED). */
    public void passCredentials() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            int rc = (int) SETSOCKOPT.invokeExact(cs, fd, SOL_SOCKET, SO_PASSCRED, one, 4);
            if (rc != 0) {
                throw error("setsockopt(SO_PASSCRED)", errno(cs));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** One received datagram. */
    public record Received(int length, boolean truncated, byte[] sender, Credentials credentials) {}

    /**
     * Waits up to {@code timeoutMillis} (negative: forever) for a datagram and copies it to
     * {@code into} (from position 0; the position and limit are set to the datagram's bytes).
     *
     * @return the datagram, or null on timeout
     */
    public Received receive(ByteBuffer into, int timeoutMillis) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE);
            if (timeoutMillis >= 0 && !poll(arena, cs, timeoutMillis)) {
                return null;
            }
            int cap = into.capacity();
            MemorySegment buf = arena.allocate(cap);
            MemorySegment name = arena.allocate(SOCKADDR_UN_SIZE);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, buf);
            iov.set(ValueLayout.JAVA_LONG, 8, cap);
            MemorySegment control = arena.allocate(64, 8);
            MemorySegment msg = arena.allocate(56, 8);
            msg.set(ValueLayout.ADDRESS, 0, name);
            msg.set(ValueLayout.JAVA_INT, 8, SOCKADDR_UN_SIZE);
            msg.set(ValueLayout.ADDRESS, 16, iov);
            msg.set(ValueLayout.JAVA_LONG, 24, 1);
            msg.set(ValueLayout.ADDRESS, 32, control);
            msg.set(ValueLayout.JAVA_LONG, 40, control.byteSize());
            long n;
            while (true) {
                n = (long) RECVMSG.invokeExact(cs, fd, msg, MSG_TRUNC);
                if (n >= 0) {
                    break;
                }
                int e = errno(cs);
                if (e != EINTR) {
                    throw error("recvmsg", e);
                }
            }
            int got = (int) Math.min(n, cap);
            into.clear();
            into.put(0, buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE));
            into.limit(got);
            int flags = msg.get(ValueLayout.JAVA_INT, 48);
            int nameLen = Math.min(msg.get(ValueLayout.JAVA_INT, 8), SOCKADDR_UN_SIZE);
            byte[] sender = nameLen > 2 ? name.asSlice(0, nameLen).toArray(ValueLayout.JAVA_BYTE) : null;
            return new Received((int) Math.min(n, Integer.MAX_VALUE), n > cap || (flags & MSG_TRUNC) != 0, sender,
                    credentials(control, msg.get(ValueLayout.JAVA_LONG, 40)));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** SCM_CREDENTIALS from the control messages, or null if none came. */
    private static Credentials credentials(MemorySegment control, long controlLen) {
        long off = 0;
        while (off + 16 <= controlLen) {
            long len = control.get(ValueLayout.JAVA_LONG, off);
            int level = control.get(ValueLayout.JAVA_INT, off + 8);
            int type = control.get(ValueLayout.JAVA_INT, off + 12);
            if (len < 16 || off + len > controlLen) {
                return null;
            }
            if (level == SOL_SOCKET && type == SCM_CREDENTIALS && len >= 16 + 12) {
                return new Credentials(control.get(ValueLayout.JAVA_INT, off + 16),
                        control.get(ValueLayout.JAVA_INT, off + 20), control.get(ValueLayout.JAVA_INT, off + 24));
            }
            off += (len + 7) & ~7L;
        }
        return null;
    }

    private boolean poll(Arena arena, MemorySegment cs, int timeoutMillis) throws Throwable {
        MemorySegment pfd = arena.allocate(8, 4);
        pfd.set(ValueLayout.JAVA_INT, 0, fd);
        pfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            int rc = (int) POLL.invokeExact(cs, pfd, 1L, left);
            if (rc > 0) {
                return true;
            }
            if (rc == 0) {
                return false;
            }
            int e = errno(cs);
            if (e != EINTR) {
                throw error("poll", e);
            }
        }
    }

    /**
     * Sends {@code data} to {@code to} (sockaddr_un bytes as received, or from {@link UnixAddress}).
     * With {@code dontWait} a full receive queue at the destination is reported as
     * {@link WouldBlockException} instead of blocking.
     */
    public void send(byte[] data, byte[] to, boolean dontWait) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
            MemorySegment.copy(to, 0, sa, ValueLayout.JAVA_BYTE, 0, to.length);
            long n;
            while (true) {
                n = (long) SENDTO.invokeExact(cs, fd, buf, (long) data.length, dontWait ? MSG_DONTWAIT : 0, sa,
                        to.length);
                if (n >= 0) {
                    break;
                }
                int e = errno(cs);
                if (e == EAGAIN) {
                    throw new WouldBlockException();
                }
                if (e != EINTR) {
                    throw error("sendto", e);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A send that would have blocked (the receiver's queue is full). */
    public static final class WouldBlockException extends IOException {
        private static final long serialVersionUID = 1L;

        WouldBlockException() {
            super("receiver's queue is full");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try (Arena arena = Arena.ofConfined()) {
                int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    private static int errno(MemorySegment cs) {
        return (int) ERRNO.get(cs, 0L);
    }

    static NativeSocketException error(String call, int errno) {
        return new NativeSocketException(call, errno, strerror(errno));
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** An AF_UNIX address: a filesystem path or a Linux abstract name. */
    public record UnixAddress(String path, boolean isAbstract) {
        public UnixAddress {
            int n = path.getBytes(StandardCharsets.UTF_8).length + (isAbstract ? 2 : 1);
            if (n > SUN_PATH_MAX) {
                throw new IllegalArgumentException("unix socket name too long (" + n + " bytes, at most "
                        + SUN_PATH_MAX + "): " + path);
            }
        }

        /**
         * Writes the sockaddr_un and returns its length. An abstract name is encoded as tcpcryptd
         * does: a NUL, the name, a trailing NUL (the length covers both).
         */
        int encode(MemorySegment sa) {
            byte[] p = path.getBytes(StandardCharsets.UTF_8);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            int at = isAbstract ? 3 : 2;
            MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, at, p.length);
            return at + p.length + 1;
        }

        /** The sockaddr_un bytes (as {@link #send} takes them). */
        public byte[] sockaddr() {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
                int n = encode(sa);
                return Arrays.copyOf(sa.toArray(ValueLayout.JAVA_BYTE), n);
            }
        }

        @Override
        public String toString() {
            return isAbstract ? "@" + path : path;
        }
    }
}
