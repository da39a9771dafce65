package dev.tuncrypt.bench;

import com.sun.management.ThreadMXBean;
import dev.tuncrypt.tcpstack.NetStack;
import dev.tuncrypt.tcpstack.TestPackets;
import dev.tuncrypt.tun.FaultModel;
import dev.tuncrypt.tun.ManualClock;
import dev.tuncrypt.tun.MemoryLink;
import dev.tuncrypt.tun.PacketBatch;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Packet-path cost of the stack alone: ICMP echo requests pushed through one {@link
 * dev.tuncrypt.tcpstack.StackLoop} over a fault-free {@link MemoryLink} on one thread. Reports
 * packets per second and heap bytes allocated per packet on the loop thread (the hot path must
 * allocate nothing).
 */
public final class EchoPathBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ManualClock clock = new ManualClock(0);
        MemoryLink.Pair pair = MemoryLink.pair(clock, 1, FaultModel.NONE, FaultModel.NONE);
        NetStack stack = NetStack.builder().link(pair.a()).address(InetAddress.ofLiteral("198.18.7.2"))
                .clock(clock).seed(1).build();
        ByteBuffer request = ByteBuffer.wrap(TestPackets.echoRequest4(TestPackets.KERNEL4, TestPackets.STACK4, 1, 1,
                new byte[56]));
        PacketBatch replies = new PacketBatch(64, 2048);
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long packets = 0;
        // warm-up, then a measured run
        for (int phase = 0; phase < 2; phase++) {
            long end = System.nanoTime() + (phase == 0 ? 2 : seconds) * 1_000_000_000L;
            long start = System.nanoTime();
            long alloc0 = mx.getCurrentThreadAllocatedBytes();
            packets = 0;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 64; i++) {
                    pair.b().send(request);
                }
                stack.loop(0).poll();
                int n = pair.b().receive(replies);
                replies.clear();
                packets += n;
            }
            long alloc = mx.getCurrentThreadAllocatedBytes() - alloc0;
            double secs = (System.nanoTime() - start) / 1e9;
            if (phase == 1) {
                System.out.printf("echo path (stack loop + MemoryLink, 1 thread): %.0f packets/s, %.2f bytes allocated per packet%n",
                        packets / secs, (double) alloc / Math.max(1, packets));
            }
        }
        stack.close();
    }
}
