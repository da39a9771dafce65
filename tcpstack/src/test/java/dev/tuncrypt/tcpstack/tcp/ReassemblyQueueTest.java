package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ReassemblyQueueTest {

    private static ByteBuffer bytes(int from, int to) {
        ByteBuffer b = ByteBuffer.allocate(to - from);
        for (int i = from; i < to; i++) {
            b.put((byte) i);
        }
        return b.flip();
    }

    /** Segments of a stream: a partition, random overlapping slices and duplicates, shuffled. */
    private static List<int[]> segments(Random random, int length) {
        List<int[]> segments = new ArrayList<>();
        for (int at = 0; at < length; ) {
            int size = Math.min(length - at, 1 + random.nextInt(1500));
            segments.add(new int[] {at, at + size});
            at += size;
        }
        for (int i = random.nextInt(length / 400 + 4); i > 0; i--) {
            int from = random.nextInt(length);
            segments.add(new int[] {from, from + 1 + random.nextInt(Math.min(3000, length - from))});
        }
        for (int i = random.nextInt(segments.size()); i > 0; i--) {
            segments.add(segments.get(random.nextInt(segments.size())));
        }
        Collections.shuffle(segments, random);
        return segments;
    }

    /** The segment's bytes in a buffer of either kind, with unrelated bytes around them. */
    private static ByteBuffer view(Random random, byte[] stream, int[] segment) {
        int length = segment[1] - segment[0];
        int pad = random.nextInt(8);
        ByteBuffer b = random.nextBoolean() ? ByteBuffer.allocate(length + 2 * pad) : ByteBuffer.allocateDirect(length + 2 * pad);
        b.position(pad).put(stream, segment[0], length);
        return b.position(pad).limit(pad + length);
    }

    @Property(tries = 300)
    void reassemblesAnyArrivalOrderOfAnyStream(@ForAll long seed) {
        Random random = new Random(seed);
        byte[] stream = new byte[1 + random.nextInt(20_000)];
        random.nextBytes(stream);
        ReceiveBuffer buffer = new ReceiveBuffer(64 + random.nextInt(8192));
        ReassemblyQueue queue = new ReassemblyQueue(buffer, 1 + random.nextInt(8));
        int isn = random.nextInt();
        queue.reset(isn);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        List<int[]> segments = segments(random, stream.length);
        while (out.size() < stream.length) {
            for (int[] segment : segments) { // each pass retransmits whatever is still missing
                ByteBuffer data = view(random, stream, segment);
                int position = data.position();
                int before = queue.rcvNxt();
                int advanced = queue.insert(isn + segment[0], data);
                assertEquals(position, data.position(), "insert leaves the segment's buffer alone");
                assertEquals(before + advanced, queue.rcvNxt());
                if (random.nextInt(3) == 0) {
                    int n = buffer.read(chunk, 0, random.nextInt(chunk.length));
                    out.write(chunk, 0, n);
                }
            }
            int n;
            while ((n = buffer.read(chunk, 0, chunk.length)) > 0) {
                out.write(chunk, 0, n);
            }
            Collections.shuffle(segments, random);
        }
        assertArrayEquals(stream, out.toByteArray());
        assertEquals(isn + stream.length, queue.rcvNxt());
        assertEquals(0, queue.rangeCount());
    }

    @Property(tries = 200)
    void everyOctetIsStoredOnceOrCountedAsDuplicate(@ForAll long seed) {
        Random random = new Random(seed);
        byte[] stream = new byte[1 + random.nextInt(10_000)];
        random.nextBytes(stream);
        ReceiveBuffer buffer = new ReceiveBuffer(stream.length);
        ReassemblyQueue queue = new ReassemblyQueue(buffer, 10_000);
        queue.reset(0);
        long offered = 0;
        for (int[] segment : segments(random, stream.length)) {
            offered += segment[1] - segment[0];
            queue.insert(segment[0], view(random, stream, segment));
        }
        assertEquals(stream.length, buffer.readable());
        assertEquals(offered, stream.length + queue.bytesDuplicate());
        assertEquals(0, queue.bytesOutOfWindow());
        byte[] got = new byte[stream.length];
        buffer.read(got, 0, got.length);
        assertArrayEquals(stream, got);
    }

    @Test
    void sackBlocksListTheMostRecentFirst() {
        ReassemblyQueue queue = new ReassemblyQueue(new ReceiveBuffer(10_000));
        queue.reset(1000);
        long[] left = new long[4];
        long[] right = new long[4];

        queue.insert(1500, bytes(0, 500));
        queue.insert(2500, bytes(0, 500));
        queue.insert(3500, bytes(0, 500));
        assertEquals(3, queue.sackBlocks(left, right, 4));
        assertArrayEquals(new long[] {3500, 2500, 1500}, Arrays.copyOf(left, 3));
        assertArrayEquals(new long[] {4000, 3000, 2000}, Arrays.copyOf(right, 3));

        queue.insert(2000, bytes(0, 500)); // joins the first two islands
        assertEquals(2, queue.sackBlocks(left, right, 4));
        assertEquals(1500, left[0]);
        assertEquals(3000, right[0]);
        assertEquals(3500, left[1]);

        queue.insert(3600, bytes(0, 100)); // a duplicate still names its block first (RFC 2018 §4)
        assertEquals(1, queue.sackBlocks(left, right, 1));
        assertEquals(3500, left[0]);

        assertEquals(2000, queue.insert(1000, bytes(0, 500))); // fills RCV.NXT: 1000..3000 readable
        assertEquals(3000, queue.rcvNxt());
        assertEquals(1, queue.sackBlocks(left, right, 4));
        assertEquals(3500, left[0]);
        assertEquals(4000, right[0]);
    }

    @Test
    void sackBlocksAcrossTheWrapAreUnsigned() {
        ReassemblyQueue queue = new ReassemblyQueue(new ReceiveBuffer(10_000));
        queue.reset(-100);
        queue.insert(-50, bytes(0, 100));
        long[] left = new long[3];
        long[] right = new long[3];
        assertEquals(1, queue.sackBlocks(left, right, 3));
        assertEquals(0xFFFF_FFCEL, left[0]);
        assertEquals(50, right[0]);
    }

    @Test
    void trimsToTheWindow() {
        ReceiveBuffer buffer = new ReceiveBuffer(1000);
        ReassemblyQueue queue = new ReassemblyQueue(buffer);
        queue.reset(0);
        assertEquals(0, queue.insert(500, bytes(500, 1500)));
        assertEquals(500, queue.bytesOutOfWindow());
        assertEquals(500, queue.outOfOrderBytes());
        assertEquals(1000, queue.insert(0, bytes(0, 500)));
        assertEquals(0, buffer.free());
        assertEquals(0, queue.insert(1000, bytes(0, 100)));
        assertEquals(600, queue.bytesOutOfWindow());
        assertEquals(0, queue.insert(0, bytes(0, 100)));
        assertEquals(100, queue.bytesDuplicate());
        byte[] got = new byte[1000];
        buffer.read(got, 0, 1000);
        for (int i = 0; i < 1000; i++) {
            assertEquals((byte) i, got[i]);
        }
    }

    @Test
    void dropsNewIslandsWhenEveryRangeIsInUse() {
        ReceiveBuffer buffer = new ReceiveBuffer(10_000);
        ReassemblyQueue queue = new ReassemblyQueue(buffer, 2);
        queue.reset(0);
        queue.insert(100, bytes(100, 200));
        queue.insert(300, bytes(300, 400));
        assertEquals(0, queue.insert(500, bytes(500, 600)));
        assertEquals(1, queue.segmentsDropped());
        assertEquals(2, queue.rangeCount());
        assertEquals(50, queue.insert(0, bytes(0, 50)), "in-order data needs no range");
        queue.insert(200, bytes(200, 300)); // merging needs no new range
        assertEquals(1, queue.rangeCount());
        assertEquals(350, queue.insert(50, bytes(50, 100)));
        assertEquals(3, queue.segmentsOutOfOrder()); // 100, 300 and the merge at 200
        assertEquals(400, buffer.readable());
        assertEquals(1, queue.segmentsDropped());
    }
}
