package dev.tuncrypt.tcpstack;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which loop owns a flow, for a stack with several loops (one per TUN queue). The kernel picks
 * the queue of each packet it writes; when a packet reaches a loop that does not own its flow,
 * that loop hands a copy to the owner. With one loop there is nothing to look up.
 *
 * @param <K> the flow key (a transport's own, with value equality)
 */
public final class FlowDirectory<K> {
    private final ConcurrentHashMap<K, StackLoop> owners = new ConcurrentHashMap<>();
    private final boolean active;

    FlowDirectory(int loops) {
        this.active = loops > 1;
    }

    /** Records that {@code owner} holds {@code key} (a copy the caller will not change). */
    public void register(K key, StackLoop owner) {
        if (active) {
            owners.put(key, owner);
        }
    }

    public void unregister(K key) {
        if (active) {
            owners.remove(key);
        }
    }

    /**
     * Hands the packet in {@code p} to the loop owning {@code key} if that is not {@code here}.
     *
     * @return whether it was handed over (the caller must then ignore it)
     */
    public boolean forward(K key, StackLoop here, InboundPacket p) {
        if (!active) {
            return false;
        }
        StackLoop owner = owners.get(key);
        if (owner == null || owner == here) {
            return false;
        }
        // a copy: the batch buffer is reused as soon as this loop moves on. Rare: once a loop has
        // written a flow's packets, the kernel's TUN flow table steers that flow to its queue, so
        // only the first replies of an active open cross over (23 of 14,871 packets in MultiQueueTest)
        p.completeChecksum(); // the owner verifies it: the kernel's word does not travel with the copy
        java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocateDirect(p.ipLength());
        copy.put(0, p.buffer(), p.ipOffset(), p.ipLength());
        owner.post(() -> owner.inputForwarded(copy, p.ipLength()));
        here.counters().countForwarded();
        return true;
    }
}
