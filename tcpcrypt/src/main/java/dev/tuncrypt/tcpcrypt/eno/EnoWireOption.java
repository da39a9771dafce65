package dev.tuncrypt.tcpcrypt.eno;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * An ENO option of one dialect: its header ({@link #headerLength()}, {@link #writeHeader}) in
 * front of the shared suboption block ({@link EnoSuboptions}). Each dialect's codec is a small
 * subclass that builds and reads its own suboptions. Immutable.
 */
public abstract class EnoWireOption {
    private final EnoSuboptions body;

    protected EnoWireOption(EnoSuboptions body) {
        this.body = Objects.requireNonNull(body, "body");
    }

    /** Bytes of the header in front of the suboptions (kind, length and, for an experimental option, the ExID). */
    protected abstract int headerLength();

    /** Writes the header of an option {@code length} bytes long at absolute {@code index}. */
    protected abstract void writeHeader(ByteBuffer buf, int index, int length);

    protected final EnoSuboptions body() {
        return body;
    }

    /** The suboptions in order. */
    public final List<EnoSuboption> suboptions() {
        return body.list();
    }

    /** Whether this is the minimal option (no suboptions). */
    public final boolean isMinimal() {
        return body.bytes().length == 0;
    }

    /** A copy of the suboption bytes. */
    public final byte[] suboptionBytes() {
        return body.bytes().clone();
    }

    /** Bytes of the whole option. */
    public final int encodedLength() {
        return headerLength() + body.bytes().length;
    }

    /** The whole option as on the wire: what the negotiation transcript holds. */
    public final byte[] encode() {
        byte[] out = new byte[encodedLength()];
        writeTo(ByteBuffer.wrap(out), 0);
        return out;
    }

    /**
     * Writes the whole option into {@code buf} at absolute {@code index} (position untouched).
     *
     * @return the index after the option
     */
    public final int writeTo(ByteBuffer buf, int index) {
        Objects.checkFromIndexSize(index, encodedLength(), buf.limit());
        writeHeader(buf, index, encodedLength());
        buf.put(index + headerLength(), body.bytes());
        return index + encodedLength();
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(body.bytes(), ((EnoWireOption) o).body.bytes());
    }

    @Override
    public final int hashCode() {
        return Arrays.hashCode(body.bytes());
    }

    @Override
    public final String toString() {
        return HexFormat.of().formatHex(encode());
    }
}
