package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** SendBuffer and ReceiveBuffer against a FIFO model, with small rings that wrap often. */
class BuffersTest {

    private static ByteBuffer anyBuffer(Random random, int capacity) {
        return random.nextBoolean() ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
    }

    @Property(tries = 300)
    void sendBufferBehavesLikeAQueueOfSequencedBytes(@ForAll long seed) {
        Random random = new Random(seed);
        int capacity = 1 + random.nextInt(100);
        SendBuffer send = new SendBuffer(capacity);
        int una = random.nextBoolean() ? -random.nextInt(200) : random.nextInt(); // often across the wrap
        send.reset(una);
        ArrayDeque<Byte> model = new ArrayDeque<>();
        byte next = 0;
        for (int step = 0; step < 400; step++) {
            switch (random.nextInt(3)) {
                case 0 -> {
                    int length = random.nextInt(150);
                    ByteBuffer src = anyBuffer(random, length);
                    for (int i = 0; i < length; i++) {
                        src.put(i, (byte) (next + i));
                    }
                    int appended = send.append(src);
                    assertEquals(Math.min(length, capacity - model.size()), appended);
                    assertEquals(appended, src.position());
                    for (int i = 0; i < appended; i++) {
                        model.add(next++);
                    }
                }
                case 1 -> {
                    int offset = random.nextInt(model.size() + 1);
                    int length = random.nextInt(capacity + 10);
                    ByteBuffer dst = anyBuffer(random, random.nextInt(capacity + 10));
                    int copied = send.copyOut(una + offset, length, dst);
                    assertEquals(Math.min(length, Math.min(model.size() - offset, dst.capacity())), copied);
                    assertEquals(copied, dst.position());
                    Iterator<Byte> it = model.iterator();
                    for (int i = 0; i < offset; i++) {
                        it.next();
                    }
                    for (int i = 0; i < copied; i++) {
                        assertEquals(it.next(), dst.get(i));
                    }
                }
                default -> {
                    int ack = una + random.nextInt(model.size() + 20) - 10;
                    int released = send.release(ack);
                    int expected = Math.max(0, Math.min(ack - una, model.size()));
                    assertEquals(expected, released);
                    for (int i = 0; i < released; i++) {
                        model.remove();
                    }
                    una += released;
                }
            }
            assertEquals(una, send.sndUna());
            assertEquals(model.size(), send.size());
            assertEquals(capacity - model.size(), send.free());
            assertEquals(una + model.size(), send.end());
            assertEquals(model.size(), send.bytesFrom(una));
        }
    }

    @Test
    void copyOutRejectsSequenceNumbersOutsideTheBuffer() {
        SendBuffer send = new SendBuffer(16);
        send.reset(100);
        send.append(ByteBuffer.wrap(new byte[10]));
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertThrows(IllegalArgumentException.class, () -> send.copyOut(99, 1, dst));
        assertThrows(IllegalArgumentException.class, () -> send.copyOut(111, 1, dst));
        assertEquals(0, send.copyOut(110, 5, dst));
        assertEquals(5, send.bytesFrom(105));
    }

    @Property(tries = 300)
    void receiveBufferBehavesLikeAQueue(@ForAll long seed) {
        Random random = new Random(seed);
        int capacity = 1 + random.nextInt(100);
        ReceiveBuffer receive = new ReceiveBuffer(capacity);
        ArrayDeque<Byte> model = new ArrayDeque<>();
        byte next = 0;
        for (int step = 0; step < 400; step++) {
            if (random.nextBoolean()) {
                int length = random.nextInt(150);
                ByteBuffer src = anyBuffer(random, length);
                for (int i = 0; i < length; i++) {
                    src.put(i, (byte) (next + i));
                }
                int written = receive.write(src);
                assertEquals(Math.min(length, capacity - model.size()), written);
                for (int i = 0; i < written; i++) {
                    model.add(next++);
                }
            } else if (random.nextBoolean()) {
                ByteBuffer dst = anyBuffer(random, random.nextInt(capacity + 10));
                int read = receive.read(dst);
                assertEquals(Math.min(dst.capacity(), model.size()), read);
                for (int i = 0; i < read; i++) {
                    assertEquals(model.remove(), dst.get(i));
                }
            } else {
                byte[] dst = new byte[random.nextInt(capacity + 10) + 3];
                int length = random.nextInt(dst.length - 2);
                int read = receive.read(dst, 2, length);
                assertEquals(Math.min(length, model.size()), read);
                for (int i = 0; i < read; i++) {
                    assertEquals(model.remove(), dst[2 + i]);
                }
            }
            assertEquals(model.size(), receive.readable());
            assertEquals(capacity - model.size(), receive.free());
        }
    }
}
