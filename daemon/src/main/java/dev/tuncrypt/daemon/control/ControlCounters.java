package dev.tuncrypt.daemon.control;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the control server has seen; tests and {@code tuncrypt status} read these. */
public final class ControlCounters {
    /** Datagrams received. */
    public final AtomicLong requests = new AtomicLong();
    /** Replies sent. */
    public final AtomicLong replies = new AtomicLong();
    /** Datagrams shorter than the 36-byte header. */
    public final AtomicLong truncatedHeader = new AtomicLong();
    /** Datagrams whose dlen disagrees with their length. */
    public final AtomicLong lengthMismatch = new AtomicLong();
    /** Datagrams or dlen larger than the server accepts. */
    public final AtomicLong oversize = new AtomicLong();
    /** Option payloads that could not be decoded. */
    public final AtomicLong badPayload = new AtomicLong();
    /** Requests for an option the server does not know. */
    public final AtomicLong unknownOption = new AtomicLong();
    /** Requests refused for lack of permission. */
    public final AtomicLong denied = new AtomicLong();
    /** Requests about a connection the daemon does not carry. */
    public final AtomicLong noSuchConnection = new AtomicLong();
    /** Requests answered only after a handshake completed (tcpcryptd's EBUSY backlog). */
    public final AtomicLong deferred = new AtomicLong();
    /** Requests answered EBUSY because too many were already waiting. */
    public final AtomicLong backlogFull = new AtomicLong();
    /** Replies that could not be sent (the client's queue full, or it is gone). */
    public final AtomicLong replyDropped = new AtomicLong();
    /** Datagrams from a sender without an address to reply to. */
    public final AtomicLong unreplyable = new AtomicLong();
    /** Requests whose handler failed unexpectedly (answered EIO-like EINVAL, logged). */
    public final AtomicLong handlerFailures = new AtomicLong();
    /** Requests answered EAGAIN because their client (or its user) asked too often. */
    public final AtomicLong rateLimited = new AtomicLong();

    /** All counters by name, for status output. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("control.requests", requests.get());
        m.put("control.replies", replies.get());
        m.put("control.malformed.truncated_header", truncatedHeader.get());
        m.put("control.malformed.length_mismatch", lengthMismatch.get());
        m.put("control.malformed.oversize", oversize.get());
        m.put("control.malformed.bad_payload", badPayload.get());
        m.put("control.unknown_option", unknownOption.get());
        m.put("control.denied", denied.get());
        m.put("control.no_such_connection", noSuchConnection.get());
        m.put("control.deferred", deferred.get());
        m.put("control.backlog_full", backlogFull.get());
        m.put("control.reply_dropped", replyDropped.get());
        m.put("control.unreplyable", unreplyable.get());
        m.put("control.handler_failures", handlerFailures.get());
        m.put("control.rate_limited", rateLimited.get());
        return m;
    }
}
