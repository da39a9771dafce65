package dev.tuncrypt.examples;

import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tun.TunConfig;
import dev.tuncrypt.tun.TunDevice;
import dev.tuncrypt.tun.TunException;
import java.net.InetAddress;

/**
 * What every example on a real TUN device sets up, in the order it must be torn down in
 * reverse: the device (created, kernel-side address, link up), tcpcrypt, and a stack that owns
 * one address behind the device and protects every TCP connection with tcpcrypt (encrypted when
 * the peer speaks it, plain otherwise). Needs root (CAP_NET_ADMIN) and /dev/net/tun.
 *
 * <pre>{@code
 * try (EmbeddedStack s = EmbeddedStack.open("tx0", "198.18.9.1", 24, "198.18.9.2")) {
 *     TcpSocket socket = TcpSocket.connect(s.stack(), new InetSocketAddress("198.18.9.1", 80), timeout);
 * }
 * }</pre>
 */
public final class EmbeddedStack implements AutoCloseable {
    private final TunDevice device;
    private final TcpCrypt crypt;
    private final NetStack stack;

    private EmbeddedStack(TunDevice device, TcpCrypt crypt, NetStack stack) {
        this.device = device;
        this.crypt = crypt;
        this.stack = stack;
    }

    /**
     * Creates TUN device {@code tun} with {@code kernelAddress/prefix} on the kernel side and
     * starts a stack owning {@code stackAddress} (inside that prefix, so the kernel routes it into
     * the device).
     */
    public static EmbeddedStack open(String tun, String kernelAddress, int prefix, String stackAddress)
            throws TunException {
        TunDevice device = TunDevice.open(TunConfig.of(tun));
        TcpCrypt crypt = null;
        try {
            device.addAddress(InetAddress.ofLiteral(kernelAddress), prefix);
            device.setUp(true);
            crypt = TcpCrypt.create(TcpCryptConfig.DEFAULT);
            NetStack stack = NetStack.builder()
                    .link(device.queue(0))
                    .address(InetAddress.ofLiteral(stackAddress))
                    .protection(crypt.protections())
                    .build();
            stack.start();
            return new EmbeddedStack(device, crypt, stack);
        } catch (TunException | RuntimeException e) {
            if (crypt != null) {
                crypt.close();
            }
            device.close();
            throw e;
        }
    }

    public NetStack stack() {
        return stack;
    }

    public TcpCrypt tcpcrypt() {
        return crypt;
    }

    /** Stops the stack, wipes tcpcrypt's keys, removes the device. */
    @Override
    public void close() throws TunException {
        stack.close();
        crypt.close();
        device.close();
    }
}
