package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.ManualClock;
import dev.tuncrypt.tun.MemoryLink;
import dev.tuncrypt.tun.PacketBatch;
import dev.tuncrypt.tun.PacketLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack on one end of a fault-free {@link MemoryLink}, driven step by step on a
 * {@link ManualClock}; the test plays the kernel on the other end.
 */
public final class StackHarness implements AutoCloseable {
    public final ManualClock clock = new ManualClock(1_000_000_000L);
    public final NetStack stack;
    private final PacketLink peer;
    private final PacketBatch batch = new PacketBatch(64, 70_000);

    public StackHarness() {
        this(NetStack.builder());
    }

    public StackHarness(NetStack.Builder builder) {
        this(builder.seed(42), true);
    }

    /** With the stack's randomness from {@code random} (e.g. one that fails on demand). */
    public StackHarness(NetStack.Builder builder, java.util.function.IntFunction<java.util.random.RandomGenerator> random) {
        this(builder.random(random), true);
    }

    private StackHarness(NetStack.Builder builder, boolean randomSet) {
        MemoryLink.Pair pair = MemoryLink.pair(clock, 1, FaultModel.NONE, FaultModel.NONE);
        peer = pair.b();
        stack = builder.link(pair.a())
                .address(InetAddress.ofLiteral("198.18.7.2"))
                .address(InetAddress.ofLiteral("2001:2:0:7::2"))
                .clock(clock)
                .build();
    }

    /** Sends {@code packet} to the stack and lets it run. */
    public List<byte[]> exchange(byte[] packet) {
        send(packet);
        return poll();
    }

    public void send(byte[] packet) {
        try {
            peer.send(ByteBuffer.wrap(packet));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the stack loop until it has nothing left to do now; returns what it sent. */
    public List<byte[]> poll() {
        while (stack.loop(0).poll() > 0) {
            // keep going while input arrives
        }
        return drain();
    }

    /** Moves virtual time and runs what became due. */
    public List<byte[]> advance(long nanos) {
        clock.advance(nanos);
        return poll();
    }

    private List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>();
        try {
            int n;
            while ((n = peer.receive(batch)) > 0) {
                for (int i = 0; i < n; i++) {
                    ByteBuffer b = batch.get(i);
                    byte[] p = new byte[b.remaining()];
                    b.get(b.position(), p);
                    out.add(p);
                }
                batch.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public StackCounters counters() {
        return stack.loop(0).counters();
    }

    @Override
    public void close() {
        stack.close();
    }
}
