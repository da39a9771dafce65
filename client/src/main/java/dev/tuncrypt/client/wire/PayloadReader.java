package dev.tuncrypt.client.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads tuncrypt's own option payloads (network order); every shortfall is a typed error. */
public final class PayloadReader {
    private final ByteBuffer b;

    public PayloadReader(byte[] data) {
        this.b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
    }

    private MalformedMessageException cut(String what) {
        return new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD, what + " cut short");
    }

    public int u8() throws MalformedMessageException {
        try {
            return Byte.toUnsignedInt(b.get());
        } catch (BufferUnderflowException e) {
            throw cut("u8");
        }
    }

    public int u16() throws MalformedMessageException {
        try {
            return Short.toUnsignedInt(b.getShort());
        } catch (BufferUnderflowException e) {
            throw cut("u16");
        }
    }

    public int i32() throws MalformedMessageException {
        try {
            return b.getInt();
        } catch (BufferUnderflowException e) {
            throw cut("u32");
        }
    }

    public long u32() throws MalformedMessageException {
        return Integer.toUnsignedLong(i32());
    }

    public long i64() throws MalformedMessageException {
        try {
            return b.getLong();
        } catch (BufferUnderflowException e) {
            throw cut("u64");
        }
    }

    public byte[] bytes16() throws MalformedMessageException {
        int n = u16();
        if (n > b.remaining()) {
            throw cut("byte string of " + n);
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    public String string() throws MalformedMessageException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes16())).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD, "string is not UTF-8");
        }
    }

    /** A socket address: family byte (4 or 6), address, port. */
    public InetSocketAddress address() throws MalformedMessageException {
        int family = u8();
        int len = switch (family) {
            case 4 -> 4;
            case 6 -> 16;
            default -> throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD,
                    "address family " + family);
        };
        if (b.remaining() < len + 2) {
            throw cut("address");
        }
        byte[] a = new byte[len];
        b.get(a);
        int port = u16();
        try {
            return new InetSocketAddress(InetAddress.getByAddress(a), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public int remaining() {
        return b.remaining();
    }

    /** Fails unless every byte was read. */
    public void end() throws MalformedMessageException {
        if (b.hasRemaining()) {
            throw new MalformedMessageException(MalformedMessageException.Reason.BAD_PAYLOAD,
                    b.remaining() + " unexpected trailing bytes");
        }
    }
}
