package dev.tuncrypt.tun;

/** A clock that moves only when told to: the time base of deterministic simulations. */
public final class ManualClock implements Clock {
    private volatile long now;

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanos() {
        return now;
    }

    /** Moves time forward by {@code deltaNanos} (must not be negative). */
    public void advance(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + deltaNanos);
        }
        now += deltaNanos;
    }

    /** Sets the time to {@code nanos}, which must not be earlier than now. */
    public void set(long nanos) {
        advance(nanos - now);
    }
}
