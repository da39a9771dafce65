package dev.tuncrypt.tcpstack;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The addresses the stack owns, stored as primitives so the input path tests membership without
 * allocating. Immutable.
 */
public final class StackAddresses {
    private final int[] v4;
    private final long[] v6; // hi, lo pairs
    private final List<InetAddress> all;

    public StackAddresses(List<InetAddress> addresses) {
        List<Integer> four = new ArrayList<>();
        List<Long> six = new ArrayList<>();
        for (InetAddress a : addresses) {
            byte[] b = a.getAddress();
            if (a instanceof Inet4Address) {
                four.add(ByteBuffer.wrap(b).getInt());
            } else if (a instanceof Inet6Address) {
                ByteBuffer bb = ByteBuffer.wrap(b);
                six.add(bb.getLong());
                six.add(bb.getLong());
            }
        }
        v4 = four.stream().mapToInt(Integer::intValue).toArray();
        v6 = six.stream().mapToLong(Long::longValue).toArray();
        all = Collections.unmodifiableList(new ArrayList<>(addresses));
    }

    public boolean isLocal4(int address) {
        for (int a : v4) {
            if (a == address) {
                return true;
            }
        }
        return false;
    }

    public boolean isLocal6(long hi, long lo) {
        for (int i = 0; i < v6.length; i += 2) {
            if (v6[i] == hi && v6[i + 1] == lo) {
                return true;
            }
        }
        return false;
    }

    public boolean hasV4() {
        return v4.length > 0;
    }

    public boolean hasV6() {
        return v6.length > 0;
    }

    /** The first IPv4 address, for packets the stack originates. */
    public int primary4() {
        return v4[0];
    }

    public List<InetAddress> all() {
        return all;
    }
}
