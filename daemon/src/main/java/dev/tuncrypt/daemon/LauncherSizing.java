package dev.tuncrypt.daemon;

/**
 * The JVM sizing the launchers derive from {@code --memory SIZE} (packaging/jvm-memory.sh, kept
 * in step by {@code LauncherMemoryTest}): a heap cap of SIZE/4 in whole 2 MiB (the JVM's heap
 * alignment, so that the cap it reports is the one given; at least 16 MiB) and a code cache of
 * SIZE/8 within 32-64 MiB in whole KiB. The daemon uses it to tell whether its JVM
 * was sized that way and, when a SIZE is too small, which SIZE the launcher could keep.
 */
final class LauncherSizing {
    private LauncherSizing() {}

    /** The heap cap the launcher gives a process budget of {@code size} bytes. */
    static long heapCap(long size) {
        return Math.max((size >> 10 >> 2) / 2048 * 2048, 16L << 10) << 10;
    }

    /** The code-cache cap the launcher gives a process budget of {@code size} bytes. */
    static long codeCacheCap(long size) {
        return Math.min(Math.max(size >> 10 >> 3, 32L << 10), 64L << 10) << 10;
    }
}
