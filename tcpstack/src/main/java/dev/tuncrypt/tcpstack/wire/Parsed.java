package dev.tuncrypt.tcpstack.wire;

import java.util.Objects;

/**
 * The outcome of parsing a value record: {@link Ok} with the value, or {@link Malformed} with
 * the reason. Switch over it:
 * <pre>{@code
 * switch (TcpHeader.parse(buf, ph)) {
 *     case Parsed.Ok(var tcp) -> handle(tcp);
 *     case Parsed.Malformed(var why) -> counters.malformed(why);
 * }
 * }</pre>
 */
public sealed interface Parsed<T> permits Parsed.Ok, Parsed.Malformed {

    record Ok<T>(T value) implements Parsed<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    record Malformed<T>(WireError error) implements Parsed<T> {
        public Malformed {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T> Parsed<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Parsed<T> malformed(WireError error) {
        return new Malformed<>(error);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The error, or {@code null} if parsing succeeded. */
    default WireError errorOrNull() {
        return this instanceof Malformed<T>(WireError e) ? e : null;
    }

    /**
     * The value.
     *
     * @throws IllegalStateException if malformed (for tests and code that has already checked)
     */
    default T orElseThrow() {
        return switch (this) {
            case Ok<T>(T v) -> v;
            case Malformed<T>(WireError e) -> throw new IllegalStateException("malformed: " + e + " (" + e.description() + ")");
        };
    }
}
