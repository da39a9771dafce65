package dev.tuncrypt.tcpcrypt.rfc8548;

import java.nio.ByteBuffer;

/** What Init1 and Init2 share: the 8-byte header that delimits them in the stream. */
public final class InitCodec8548 {
    /** magic u32 + message_len u32. */
    public static final int HEADER = 8;

    private InitCodec8548() {}

    /**
     * The message length a header at {@code header}'s absolute index 0 declares, or -1 if it is
     * below the header or above {@link Rfc8548#MAX_INIT_LENGTH} (the parser then reports it).
     */
    public static int declaredLength(ByteBuffer header) {
        long declared = Integer.toUnsignedLong(header.getInt(4));
        return declared < HEADER || declared > Rfc8548.MAX_INIT_LENGTH ? -1 : (int) declared;
    }
}
