package dev.tuncrypt.tcpstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tun.PacketBatch;
import dev.tuncrypt.tun.PacketLink;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads ahead keep the link's order and stop at the spare batches; what they leave stays in the link. */
class InboundReaderTest {
    /** A link holding numbered one-int packets. */
    static final class NumberedLink implements PacketLink {
        final ArrayDeque<Integer> queued = new ArrayDeque<>();
        int next;

        void arrive(int n) {
            for (int i = 0; i < n; i++) {
                queued.add(next++);
            }
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public int receive(PacketBatch batch) {
            batch.clear();
            int n = 0;
            while (n < batch.capacity() && !queued.isEmpty()) {
                ByteBuffer b = batch.get(n++);
                b.putInt(0, queued.poll()).limit(4).position(0);
            }
            batch.setCount(n);
            return n;
        }

        @Override
        public boolean send(ByteBuffer packet) {
            return true;
        }

        @Override
        public void await(long timeoutNanos) {}

        @Override
        public void wakeup() {}

        @Override
        public void close() {}
    }

    final NumberedLink link = new NumberedLink();
    final StackCounters counters = new StackCounters();
    final InboundReader reader = new InboundReader(link, 4, 64, 2, counters);

    List<Integer> numbers(PacketBatch b) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < b.count(); i++) {
            l.add(b.get(i).getInt(0));
        }
        return l;
    }

    @Test
    void packetsReadAheadComeFirstAndInOrder() {
        link.arrive(3);
        reader.readAhead(); // 0-2 into a spare batch
        link.arrive(5);
        reader.readAhead(); // 3-6 into the second; 7 stays in the link
        assertThat(reader.aheadFull()).isTrue();
        reader.readAhead(); // no spare left: nothing read
        assertThat(counters.readAheadsFull()).isEqualTo(1);
        assertThat(counters.packetsReadAhead()).isEqualTo(7);
        assertThat(link.queued).containsExactly(7);

        assertThat(numbers(reader.next())).containsExactly(0, 1, 2);
        assertThat(reader.hasHeld()).isTrue();
        assertThat(numbers(reader.next())).containsExactly(3, 4, 5, 6);
        assertThat(reader.hasHeld()).isFalse();
        link.arrive(1);
        assertThat(numbers(reader.next())).containsExactly(7, 8);
        assertThat(numbers(reader.next())).isEmpty();
    }

    @Test
    void aBatchBeingProcessedIsNotReadInto() {
        link.arrive(2);
        reader.readAhead();
        PacketBatch processing = reader.next(); // handed out: 0, 1
        link.arrive(8);
        reader.readAhead(); // 2-5 into the other spare
        assertThat(reader.aheadFull()).as("the handed-out batch is not spare until released").isTrue();
        reader.readAhead();
        assertThat(numbers(processing)).containsExactly(0, 1);
        reader.release();
        assertThat(reader.aheadFull()).isFalse();
        reader.readAhead(); // 6-9
        assertThat(numbers(reader.next())).containsExactly(2, 3, 4, 5);
        assertThat(numbers(reader.next())).containsExactly(6, 7, 8, 9);
    }

    @Test
    void anEmptyReadAheadKeepsItsBatchSpare() {
        reader.readAhead();
        reader.readAhead();
        reader.readAhead();
        assertThat(reader.hasHeld()).isFalse();
        assertThat(reader.aheadFull()).isFalse();
        assertThat(counters.readAheadsFull()).isZero();
    }
}
