package dev.tuncrypt.daemon.selftest;

import dev.tuncrypt.tcpcrypt.SessionId;
import dev.tuncrypt.tcpcrypt.TcpCryptInfo;
import java.util.HexFormat;

/**
 * The test server's one-line answer: the session ID it sees for the connection as upper-case
 * hex and a newline ({@code 21A0…\n}, as {@code tcnetstat} prints IDs), or {@code plain\n} when
 * the connection is not encrypted. Then the server closes.
 */
public final class SessionLine {
    /** The answer for a connection without tcpcrypt. */
    public static final String PLAIN = "plain";
    /** Longest answer a client reads (a 33-byte ID is 66 digits). */
    public static final int MAX_LENGTH = 128;

    private SessionLine() {}

    /** The line for {@code info} (null: plain), newline included. */
    public static String format(TcpCryptInfo info) {
        return (info == null ? PLAIN : info.sessionId().toString()) + "\n";
    }

    /** What a server answered. */
    public sealed interface Answer {
        /** The server's session ID. */
        record Sid(SessionId id) implements Answer {}

        /** The server saw plain TCP. */
        record Plain() implements Answer {}

        /** Anything else (printable form, cut to {@link #MAX_LENGTH}). */
        record Garbage(String text) implements Answer {}
    }

    /** Reads an answer (with or without its newline). */
    public static Answer parse(String text) {
        String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (line.equals(PLAIN)) {
            return new Answer.Plain();
        }
        if (line.length() == SessionId.LENGTH * 2 && line.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
            return new Answer.Sid(SessionId.of(HexFormat.of().parseHex(line)));
        }
        return new Answer.Garbage(printable(text));
    }

    /** {@code text} with control and non-ASCII characters escaped, for a log line. */
    static String printable(String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < MAX_LENGTH; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else {
                b.append(String.format("\\x%02x", c & 0xff));
            }
        }
        return b.toString();
    }
}
