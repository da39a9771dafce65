package dev.tuncrypt.tcpcrypt.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tuncrypt.tcpcrypt.Result;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.rfc8548.EnoOption8547;
import dev.tuncrypt.tcpcrypt.rfc8548.FrameOpener8548;
import dev.tuncrypt.tcpcrypt.rfc8548.FrameSealer8548;
import dev.tuncrypt.tcpcrypt.rfc8548.FrameStatus8548;
import dev.tuncrypt.tcpcrypt.rfc8548.Init1Message;
import dev.tuncrypt.tcpcrypt.rfc8548.Init2Message;
import dev.tuncrypt.tcpcrypt.v05.EnoOption;
import dev.tuncrypt.tcpcrypt.v05.FrameOpener;
import dev.tuncrypt.tcpcrypt.v05.FrameSealer;
import dev.tuncrypt.tcpcrypt.v05.FrameStatus;
import dev.tuncrypt.tcpcrypt.v05.Init1;
import dev.tuncrypt.tcpcrypt.v05.Init2;
import java.nio.ByteBuffer;
import java.util.EnumSet;

/**
 * Coverage-guided fuzz targets for every tcpcrypt parser, in both dialects: the ENO option
 * (tcpcryptd 0.5's kind 253 and RFC 8547's kind 69), Init1 and Init2, and frames. A parser
 * answers malformed input with its typed error, never an exception; a frame with any byte
 * changed never opens. {@code make test} replays the inputs under
 * {@code src/test/resources/.../TcpCryptFuzzTestInputs}; {@code make fuzz} fuzzes each target.
 */
class TcpCryptFuzzTest {
    private static final EnumSet<SymCipher> ALL_CIPHERS = EnumSet.allOf(SymCipher.class);

    @FuzzTest
    void enoTcpcrypt05(byte[] option) {
        if (EnoOption.parse(option) instanceof Result.Ok<EnoOption, ?> ok) {
            assertEquals(ok, EnoOption.parse(option), "parsing is a function of the bytes");
        }
    }

    @FuzzTest
    void enoRfc8547(byte[] option) {
        if (EnoOption8547.parse(option) instanceof Result.Ok<EnoOption8547, ?> ok) {
            assertEquals(ok, EnoOption8547.parse(option), "parsing is a function of the bytes");
        }
    }

    @FuzzTest
    void initTcpcrypt05(FuzzedDataProvider data) {
        Tep tep = data.pickValue(new Tep[] {Tep.ECDHE_P256, Tep.ECDHE_P521});
        boolean second = data.consumeBoolean();
        byte[] msg = data.consumeRemainingAsBytes();
        if (second) {
            Init2.parse(tep, ByteBuffer.wrap(msg), ALL_CIPHERS);
        } else {
            Init1.parse(tep, ByteBuffer.wrap(msg));
        }
    }

    @FuzzTest
    void initRfc8548(FuzzedDataProvider data) {
        Tep tep = data.pickValue(Tep.values());
        boolean second = data.consumeBoolean();
        byte[] msg = data.consumeRemainingAsBytes();
        if (second) {
            Init2Message.parse(tep, msg, ALL_CIPHERS);
        } else {
            Init1Message.parse(tep, msg);
        }
    }

    /** Arbitrary bytes as a frame, and a sealed frame with one byte changed: neither opens. */
    @FuzzTest
    void framesTcpcrypt05(FuzzedDataProvider data) {
        SymCipher cipher = data.pickValue(new SymCipher[] {SymCipher.AES_128_GCM, SymCipher.AES_256_GCM});
        byte[] key = new byte[cipher.keyLength()];
        long offset = data.consumeLong(0, 1L << 40);
        int flip = data.consumeInt(0, 70_000);
        byte[] plain = data.consumeBytes(2000);
        byte[] junk = data.consumeRemainingAsBytes();
        FrameOpener opener = new FrameOpener(cipher, key);
        ByteBuffer dst = ByteBuffer.allocate(70_000);
        FrameOpener.announcedFrameLength(ByteBuffer.wrap(junk), 0);
        assertNotEquals(FrameStatus.OK, opener.open(ByteBuffer.wrap(junk), offset, dst));

        ByteBuffer frame = ByteBuffer.allocate(plain.length + 64);
        new FrameSealer(cipher, key).seal(ByteBuffer.wrap(plain), 0, offset, frame);
        frame.flip();
        byte[] sealed = new byte[frame.remaining()];
        frame.get(sealed);
        dst.clear();
        assertEquals(FrameStatus.OK, opener.open(ByteBuffer.wrap(sealed), offset, dst));
        assertArrayEquals(plain, java.util.Arrays.copyOf(dst.array(), dst.position()));
        sealed[flip % sealed.length] ^= 0x5a;
        dst.clear();
        assertNotEquals(FrameStatus.OK, opener.open(ByteBuffer.wrap(sealed), offset, dst));
    }

    @FuzzTest
    void framesRfc8548(FuzzedDataProvider data) {
        SymCipher cipher = data.pickValue(SymCipher.values());
        byte[] masterKey = new byte[32]; // mk[0], K_LEN bytes (RFC 8548 §3.3)
        dev.tuncrypt.tcpcrypt.Role sender = data.pickValue(dev.tuncrypt.tcpcrypt.Role.values());
        long offset = data.consumeLong(0, 1L << 40);
        int flip = data.consumeInt(0, 70_000);
        byte[] plain = data.consumeBytes(2000);
        byte[] junk = data.consumeRemainingAsBytes();
        FrameOpener8548 opener = new FrameOpener8548(cipher, masterKey, sender);
        ByteBuffer dst = ByteBuffer.allocate(70_000);
        FrameOpener8548.announcedFrameLength(ByteBuffer.wrap(junk), 0);
        assertNotEquals(FrameStatus8548.OK, opener.open(ByteBuffer.wrap(junk), offset, dst));

        ByteBuffer frame = ByteBuffer.allocate(plain.length + 64);
        new FrameSealer8548(cipher, masterKey, sender, 0).seal(ByteBuffer.wrap(plain), offset, frame);
        frame.flip();
        byte[] sealed = new byte[frame.remaining()];
        frame.get(sealed);
        dst.clear();
        assertEquals(FrameStatus8548.OK, opener.open(ByteBuffer.wrap(sealed), offset, dst));
        assertArrayEquals(plain, java.util.Arrays.copyOf(dst.array(), dst.position()));
        sealed[flip % sealed.length] ^= 0x5a;
        dst.clear();
        assertNotEquals(FrameStatus8548.OK, opener.open(ByteBuffer.wrap(sealed), offset, dst));
    }
}
