package dev.tuncrypt.daemon;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** Whether an address belongs to this host (its network namespace): assigned to one of its interfaces. */
final class LocalAddresses {
    private LocalAddresses() {}

    /**
     * True when an interface of this namespace has {@code address}; false when none has or the
     * interfaces cannot be read (a SYN taken for steered is then connected onward as steered,
     * with tcpcrypt as configured: never less protected).
     */
    static boolean isLocal(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
