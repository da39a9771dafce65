package dev.tuncrypt.tun;

import com.kenai.jffi.MemoryIO;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads {@link LibC} once and offers the helpers every native call site needs. */
final class Native {
    /** The bound C library. */
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private Native() {}

    /** The {@code errno} the last {@link LibC} call on this thread left behind. */
    static int errno() {
        return RUNTIME.getLastError();
    }

    /** The kernel's text for {@code errno}, e.g. "Device or resource busy". */
    static String strerror(int errno) {
        return LIBC.strerror(errno);
    }

    /**
     * Address of the byte at {@code buffer}'s position.
     *
     * @throws IllegalArgumentException if the buffer is not direct
     */
    static long address(ByteBuffer buffer) {
        return baseAddress(buffer) + buffer.position();
    }

    /**
     * Address of {@code buffer}'s first byte (index 0).
     *
     * @throws IllegalArgumentException if the buffer is not direct
     */
    static long baseAddress(Buffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("native I/O needs a direct buffer");
        }
        return MEMORY.getDirectBufferAddress(buffer);
    }
}
