package dev.tuncrypt.routing;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A network prefix, {@code 198.18.5.0/24} or {@code 2001:2::/48}: host bits must be zero, as
 * the kernel's rules and routes expect them.
 */
public record Prefix(InetAddress network, int length) {

    public Prefix {
        int max = network instanceof Inet4Address ? 32 : 128;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0-" + max);
        }
        if (!hostBitsZero(network.getAddress(), length)) {
            throw new IllegalArgumentException(network.getHostAddress() + "/" + length + " has host bits set");
        }
    }

    /** Whether this is an IPv4 prefix. */
    public boolean ipv4() {
        return network instanceof Inet4Address;
    }

    /**
     * Parses {@code ADDR} (a host prefix) or {@code ADDR/LEN}. Only literals: names are never
     * resolved.
     */
    public static Prefix parse(String text) throws InvalidPlanException {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(addr);
        int max = address instanceof Inet4Address ? 32 : 128;
        int length = max;
        if (slash >= 0) {
            String len = text.substring(slash + 1);
            if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
                throw new InvalidPlanException("'" + text + "': prefix length is not a number");
            }
            length = Integer.parseInt(len);
            if (length > max) {
                throw new InvalidPlanException("'" + text + "': prefix length must be 0-" + max);
            }
        }
        if (!hostBitsZero(address.getAddress(), length)) {
            throw new InvalidPlanException("'" + text + "' has host bits set; the network is "
                    + new Prefix(mask(address, length), length));
        }
        return new Prefix(address, length);
    }

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal without any name lookup.
     *
     * @throws InvalidPlanException if {@code text} is not a literal address
     */
    public static InetAddress literal(String text) throws InvalidPlanException {
        boolean v6 = text.indexOf(':') >= 0;
        boolean ok = !text.isEmpty() && (v6
                ? text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                : validDottedQuad(text));
        if (ok) {
            try {
                InetAddress a = InetAddress.getByName(text);
                if (v6 == (a instanceof Inet6Address)) {
                    return a;
                }
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        throw new InvalidPlanException("'" + text + "' is not an IPv4 or IPv6 address");
    }

    private static boolean validDottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean hostBitsZero(byte[] a, int length) {
        for (int bit = length; bit < a.length * 8; bit++) {
            if ((a[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress mask(InetAddress address, int length) {
        byte[] a = address.getAddress();
        for (int bit = length; bit < a.length * 8; bit++) {
            a[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether {@code address} lies inside this prefix (same family only). */
    public boolean contains(InetAddress address) {
        byte[] a = network.getAddress();
        byte[] b = address.getAddress();
        if (a.length != b.length) {
            return false;
        }
        return java.util.Arrays.equals(a, mask(address, length).getAddress());
    }

    @Override
    public String toString() {
        return Addresses.text(network) + "/" + length;
    }
}
