package dev.tuncrypt.client.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * One page of TUNCRYPT_NETSTAT_WIDE. The request's data is the u32 index to start at; the reply is
 * u32 total connections, u32 index of the next page ({@link #END} when this is the last), u16
 * record count, then the {@link ConnectionRecord}s.
 *
 * @param total connections the daemon carries now
 * @param next where the next page starts, {@link #END} when none
 * @param records this page
 */
public record WidePage(long total, long next, List<ConnectionRecord> records) {
    /** {@code next} of the last page. */
    public static final long END = 0xffff_ffffL;

    public WidePage {
        records = List.copyOf(records);
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return next != END;
    }

    public byte[] encode() {
        PayloadWriter w = new PayloadWriter().i32((int) total).i32((int) next).u16(records.size());
        records.forEach(r -> r.encode(w));
        return w.toByteArray();
    }

    public static WidePage decode(byte[] data) throws MalformedMessageException {
        PayloadReader r = new PayloadReader(data);
        long total = r.u32();
        long next = r.u32();
        int n = r.u16();
        List<ConnectionRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(ConnectionRecord.decode(r));
        }
        r.end();
        return new WidePage(total, next, records);
    }

    /** The request data: the index to start at. */
    public static byte[] request(long start) {
        return new PayloadWriter().i32((int) start).toByteArray();
    }

    /** Parses a request's start index. */
    public static long decodeRequest(byte[] data) throws MalformedMessageException {
        if (data.length == 0) {
            return 0;
        }
        PayloadReader r = new PayloadReader(data);
        long start = r.u32();
        r.end();
        return start;
    }
}
