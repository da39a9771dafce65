package dev.tuncrypt.client.wire;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Writes tuncrypt's own option payloads (network order). */
public final class PayloadWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PayloadWriter u8(int v) {
        out.write(v);
        return this;
    }

    public PayloadWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public PayloadWriter i32(int v) {
        u16(v >>> 16);
        return u16(v & 0xffff);
    }

    public PayloadWriter i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    public PayloadWriter bytes16(byte[] v) {
        if (v.length > 0xffff) {
            throw new IllegalArgumentException("byte string of " + v.length);
        }
        u16(v.length);
        out.writeBytes(v);
        return this;
    }

    /** A UTF-8 string, cut to 65535 bytes at a character boundary. */
    public PayloadWriter string(String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        while (v.length > 0xffff) {
            s = s.substring(0, s.length() - 1);
            v = s.getBytes(StandardCharsets.UTF_8);
        }
        return bytes16(v);
    }

    /** A socket address: family byte (4 or 6), address bytes, port. */
    public PayloadWriter address(InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        u8(a.getAddress() instanceof Inet4Address ? 4 : 6);
        out.writeBytes(ip);
        return u16(a.getPort());
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
