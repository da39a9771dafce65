package dev.tuncrypt.daemon.perf;

import com.google.common.net.InetAddresses;
import java.net.InetSocketAddress;

/** Socket addresses as people write them: {@code 198.18.2.2:5201}, {@code [2001:db8::1]:5201}. */
final class Addresses {
    private Addresses() {}

    static String text(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        String host = InetAddresses.toAddrString(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
