package dev.tuncrypt.tcpstack.tcp;

import java.util.Arrays;

/**
 * The loop's timer queue: an intrusive binary min-heap of connections ordered by their earliest
 * deadline. Each connection remembers its index, so rescheduling is O(log n) and allocates
 * nothing; 10,000 connections cost one array.
 */
final class TimerHeap {
    private TcpConnection[] heap = new TcpConnection[64];
    private int size;

    /**
     * Puts {@code c} at its current {@link TcpConnection#timerDeadline()} (cached as its key), or
     * removes it if it has none. Call after every change of a connection's deadlines.
     */
    void update(TcpConnection c) {
        long d = c.timerDeadline();
        if (d == Long.MAX_VALUE) {
            remove(c);
            return;
        }
        c.heapKey = d;
        if (c.heapIndex < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            heap[size] = c;
            c.heapIndex = size++;
            siftUp(c.heapIndex);
        } else {
            siftUp(c.heapIndex);
            siftDown(c.heapIndex);
        }
    }

    void remove(TcpConnection c) {
        int i = c.heapIndex;
        if (i < 0) {
            return;
        }
        c.heapIndex = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        TcpConnection last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.heapIndex = i;
        siftUp(i);
        siftDown(last.heapIndex);
    }

    /** The connection due first, or null. */
    TcpConnection peek() {
        return size == 0 ? null : heap[0];
    }

    long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : heap[0].heapKey;
    }

    int size() {
        return size;
    }

    private void siftUp(int i) {
        TcpConnection c = heap[i];
        long d = c.heapKey;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TcpConnection p = heap[parent];
            if (p.heapKey - d <= 0) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = c;
        c.heapIndex = i;
    }

    private void siftDown(int i) {
        TcpConnection c = heap[i];
        long d = c.heapKey;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                break;
            }
            int r = l + 1;
            int m = r < size && heap[r].heapKey - heap[l].heapKey < 0 ? r : l;
            if (d - heap[m].heapKey <= 0) {
                break;
            }
            heap[i] = heap[m];
            heap[i].heapIndex = i;
            i = m;
        }
        heap[i] = c;
        c.heapIndex = i;
    }
}
