package dev.tuncrypt.daemon;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/** An address with a prefix length, as written {@code 198.18.7.1/24} or {@code 2001:2::1/64}. */
public record Cidr(InetAddress address, int prefixLength) {

    public Cidr {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0-" + max);
        }
    }

    /**
     * Parses a literal address with an optional {@code /prefix} (default: a host prefix). Never
     * resolves names.
     *
     * @throws UsageException with a sentence naming what is wrong
     */
    public static Cidr parse(String text) throws UsageException {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(addr);
        int max = address instanceof Inet4Address ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new UsageException("'" + text + "': prefix length is not a number");
            }
            if (prefix < 0 || prefix > max) {
                throw new UsageException("'" + text + "': prefix length must be 0-" + max);
            }
        }
        return new Cidr(address, prefix);
    }

    /** Parses an IPv4 or IPv6 literal; names are refused (no DNS lookups). */
    public static InetAddress literal(String text) throws UsageException {
        try {
            return InetAddresses.forString(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("'" + text + "' is not an IPv4 or IPv6 address");
        }
    }

    /** Whether {@code other} lies inside this prefix (same family only). */
    public boolean contains(InetAddress other) {
        byte[] a = address.getAddress();
        byte[] b = other.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    @Override
    public String toString() {
        return InetAddresses.toAddrString(address) + "/" + prefixLength;
    }
}
