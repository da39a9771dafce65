package dev.tuncrypt.tcpcrypt;

import java.util.Objects;

/**
 * The outcome of parsing or checking untrusted input: a value, or an error reason from an enum.
 * Malformed input is never reported by an exception.
 *
 * @param <T> the value type
 * @param <E> the error reason type
 */
public sealed interface Result<T, E extends Enum<E>> {

    /** Success. */
    record Ok<T, E extends Enum<E>>(T value) implements Result<T, E> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Failure with a reason. */
    record Err<T, E extends Enum<E>>(E error) implements Result<T, E> {
        public Err {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T, E extends Enum<E>> Result<T, E> ok(T value) {
        return new Ok<>(value);
    }

    static <T, E extends Enum<E>> Result<T, E> err(E error) {
        return new Err<>(error);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The value, or null on failure. */
    default T valueOrNull() {
        return this instanceof Ok<T, E> ok ? ok.value() : null;
    }

    /** The error, or null on success. */
    default E errorOrNull() {
        return this instanceof Err<T, E> err ? err.error() : null;
    }

    /**
     * The value; on failure an {@link IllegalStateException} naming the reason. For callers that
     * have already ruled failure out (and tests).
     */
    default T orElseThrow() {
        if (this instanceof Ok<T, E> ok) {
            return ok.value();
        }
        throw new IllegalStateException("failed: " + errorOrNull());
    }
}
