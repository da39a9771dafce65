package dev.tuncrypt.client.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzz targets for the control socket's datagrams: the header and every payload
 * the daemon or a client decodes. Malformed bytes are a {@link MalformedMessageException}, never
 * another exception; what decodes re-encodes to the same bytes.
 */
class ControlWireFuzzTest {

    @FuzzTest
    void datagrams(byte[] datagram) {
        ControlMessage m;
        try {
            m = ControlMessage.decode(ByteBuffer.wrap(datagram), 65_000);
        } catch (MalformedMessageException e) {
            return;
        }
        try {
            byte[] again = m.encode();
            assertArrayEquals(again, ControlMessage.decode(ByteBuffer.wrap(again), 65_000).encode());
        } catch (MalformedMessageException e) {
            throw new AssertionError("a decoded message re-encodes to something that does not decode", e);
        }
    }

    @FuzzTest
    void payloads(byte[] data) {
        try {
            ConnectionQuery.decode(data);
        } catch (MalformedMessageException e) {
            // typed
        }
        try {
            NetstatRecord.decodeAll(data);
        } catch (MalformedMessageException e) {
            // typed
        }
        try {
            StatusPayload.decode(data);
        } catch (MalformedMessageException e) {
            // typed
        }
        try {
            WidePage page = WidePage.decode(data);
            assertArrayEquals(page.encode(), WidePage.decode(page.encode()).encode());
        } catch (MalformedMessageException e) {
            // typed
        }
        try {
            WidePage.decodeRequest(data);
        } catch (MalformedMessageException e) {
            // typed
        }
    }
}
