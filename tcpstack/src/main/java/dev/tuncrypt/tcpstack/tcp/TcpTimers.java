package dev.tuncrypt.tcpstack.tcp;

import java.util.Arrays;

/**
 * The deadlines of one connection's {@link TcpTimer}s, in a preallocated array, kept in a
 * {@link TimerWheel} by a single entry at (or before) the earliest of them.
 *
 * <p>The wheel entry is moved lazily: arming a timer moves it only when the new deadline is
 * earlier than the entry; cancelling or postponing leaves it. Restarting the retransmission
 * timer on every ACK (RFC 6298 §5.3) therefore costs a field store. When the entry fires early,
 * {@link #pollExpired} finds nothing due and re-arms it at the true earliest deadline.
 *
 * <p>The loop drives it as: {@code while ((id = wheel.poll(now)) >= 0)} then, for that
 * connection, {@code while ((t = timers.pollExpired(now)) != null) handle(t)}.
 */
public final class TcpTimers {
    private static final TcpTimer[] TIMERS = TcpTimer.values();
    private static final long DISARMED = Long.MAX_VALUE;

    private final TimerWheel wheel;
    private final int id;
    private final long[] deadlines = new long[TIMERS.length];

    /** The timers of the connection with slot {@code id} in {@code wheel}, all disarmed. */
    public TcpTimers(TimerWheel wheel, int id) {
        if (id < 0 || id >= wheel.capacity()) {
            throw new IllegalArgumentException("id " + id + " outside the wheel's " + wheel.capacity());
        }
        this.wheel = wheel;
        this.id = id;
        Arrays.fill(deadlines, DISARMED);
    }

    /** Arms (or re-arms) {@code timer} to expire at {@code deadlineNanos}. */
    public void arm(TcpTimer timer, long deadlineNanos) {
        deadlines[timer.ordinal()] = deadlineNanos;
        if (deadlineNanos < wheel.deadline(id)) {
            wheel.schedule(id, deadlineNanos);
        }
    }

    /** Disarms {@code timer}. */
    public void cancel(TcpTimer timer) {
        deadlines[timer.ordinal()] = DISARMED;
    }

    /** Disarms every timer and leaves the wheel (the connection is closing). */
    public void cancelAll() {
        Arrays.fill(deadlines, DISARMED);
        wheel.cancel(id);
    }

    /** Whether {@code timer} is armed. */
    public boolean isArmed(TcpTimer timer) {
        return deadlines[timer.ordinal()] != DISARMED;
    }

    /** The deadline of {@code timer}, or {@link Long#MAX_VALUE} when disarmed. */
    public long deadline(TcpTimer timer) {
        return deadlines[timer.ordinal()];
    }

    /** The earliest armed deadline, or {@link Long#MAX_VALUE} when none is armed. */
    public long earliest() {
        long earliest = DISARMED;
        for (long deadline : deadlines) {
            earliest = Math.min(earliest, deadline);
        }
        return earliest;
    }

    /**
     * Disarms and returns the armed timer with the earliest deadline at or before
     * {@code nowNanos}, or null when none is due; in that case the wheel entry is set to the
     * earliest remaining deadline (or removed if nothing is armed).
     */
    public TcpTimer pollExpired(long nowNanos) {
        int due = -1;
        for (int t = 0; t < deadlines.length; t++) {
            if (deadlines[t] <= nowNanos && (due < 0 || deadlines[t] < deadlines[due])) {
                due = t;
            }
        }
        if (due >= 0) {
            deadlines[due] = DISARMED;
            return TIMERS[due];
        }
        long earliest = earliest();
        if (earliest == DISARMED) {
            wheel.cancel(id);
        } else if (wheel.deadline(id) != earliest) {
            wheel.schedule(id, earliest);
        }
        return null;
    }
}
