package dev.tuncrypt.daemon;

/**
 * How {@code --memory SIZE}, the memory the whole process may keep resident, is split: the
 * JVM's heap cap ({@code -Xmx}), a reserve for the rest of the JVM (its own code and data,
 * metaspace, JIT code cache and compiler arenas, thread stacks, GC structures, packet batches),
 * and what is left, the budget of the connections' send and receive buffers
 * ({@link dev.tuncrypt.tcpstack.MemoryBudget}).
 *
 * @param size     the process budget, bytes
 * @param heapCap  the JVM's maximum heap, bytes
 * @param reserve  the rest of the JVM outside heap and buffers, bytes
 * @param buffers  the connections' buffers: {@code size - heapCap - reserve}
 */
public record ProcessBudget(long size, long heapCap, long reserve, long buffers) {

    /** The smallest buffer budget worth starting with: room for a few dozen connections' rings. */
    public static final long MIN_BUFFERS = 8L << 20;

    /**
     * The split of {@code size} for a JVM whose heap cap is {@code heapCap} and whose other
     * memory is {@code reserve}; fails, naming the numbers and {@code leastSize}, the smallest
     * size that would do (for this heap cap, or for the launcher's sizing when it sized this
     * JVM), when less than {@link #MIN_BUFFERS} would be left for the buffers.
     */
    public static ProcessBudget derive(long size, long heapCap, long reserve, long leastSize) throws UsageException {
        if (size <= 0 || heapCap <= 0 || reserve < 0) {
            throw new IllegalArgumentException("size " + size + ", heap cap " + heapCap + ", reserve " + reserve);
        }
        long buffers = size - heapCap - reserve;
        if (buffers < MIN_BUFFERS) {
            throw new UsageException("--memory " + mib(size) + " is too small for this JVM: its heap cap (-Xmx) is "
                    + mib(heapCap) + " and the rest of the JVM needs " + mib(reserve) + ", which leaves " + mib(buffers)
                    + " for the connections' buffers (at least " + mib(MIN_BUFFERS) + " needed); give --memory "
                    + ((leastSize + (1L << 20) - 1) >> 20) + "m or more, or start the JVM with a smaller -Xmx"
                    + " (bin/tuncryptd sizes the heap from --memory unless TUNCRYPT_JAVA_OPTS sets -Xmx)");
        }
        return new ProcessBudget(size, heapCap, reserve, buffers);
    }

    /** {@link #derive(long, long, long, long)} where the heap cap stays what it is whatever the size. */
    public static ProcessBudget derive(long size, long heapCap, long reserve) throws UsageException {
        return derive(size, heapCap, reserve, heapCap + reserve + MIN_BUFFERS);
    }

    /** "256 MiB", rounded down; sizes below a MiB in KiB. */
    static String mib(long bytes) {
        if (Math.abs(bytes) < (1L << 20)) {
            return (bytes >> 10) + " KiB";
        }
        return (bytes >> 20) + " MiB";
    }

    @Override
    public String toString() {
        return "--memory " + mib(size) + " = heap cap " + mib(heapCap) + " + JVM reserve " + mib(reserve)
                + " + connection buffers " + mib(buffers);
    }
}
