package dev.tuncrypt.tcpstack.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Absolute network-byte-order reads and writes on a {@link ByteBuffer}, whatever the buffer's own
 * {@link ByteBuffer#order() order} is, and without touching its position. Plain (misaligned-safe)
 * accesses through byte-buffer view VarHandles, which the JIT turns into single loads and stores.
 */
final class BigEndian {
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private BigEndian() {}

    static int u8(ByteBuffer buf, int index) {
        return buf.get(index) & 0xFF;
    }

    static int u16(ByteBuffer buf, int index) {
        return (short) SHORT.get(buf, index) & 0xFFFF;
    }

    static int i32(ByteBuffer buf, int index) {
        return (int) INT.get(buf, index);
    }

    static long u32(ByteBuffer buf, int index) {
        return (int) INT.get(buf, index) & 0xFFFF_FFFFL;
    }

    static long i64(ByteBuffer buf, int index) {
        return (long) LONG.get(buf, index);
    }

    static void put8(ByteBuffer buf, int index, int value) {
        buf.put(index, (byte) value);
    }

    static void put16(ByteBuffer buf, int index, int value) {
        SHORT.set(buf, index, (short) value);
    }

    static void put32(ByteBuffer buf, int index, int value) {
        INT.set(buf, index, value);
    }

    static void put32(ByteBuffer buf, int index, long value) {
        INT.set(buf, index, (int) value);
    }

    static void put64(ByteBuffer buf, int index, long value) {
        LONG.set(buf, index, value);
    }
}
