package dev.tuncrypt.daemon.selftest;

import dev.tuncrypt.tcpcrypt.SessionId;

/** How a self-test ended. {@link #describe()} is one line for the log. */
public sealed interface SelfTestResult {

    /** Whether tcpcrypt works end to end. */
    default boolean passed() {
        return this instanceof Passed;
    }

    /** One line: the outcome and its detail. */
    String describe();

    /** tcpcrypt was negotiated and the server reported the same session ID. */
    record Passed(SessionId sessionId) implements SelfTestResult {
        @Override
        public String describe() {
            return "passed: tcpcrypt session " + sessionId + " seen by both ends";
        }
    }

    /** The connection ran in the clear or its keys were never agreed. */
    record NotNegotiated(String detail) implements SelfTestResult {
        @Override
        public String describe() {
            return "failed: tcpcrypt not negotiated: " + detail;
        }
    }

    /** Both ends encrypted but saw different sessions (a middlebox terminating tcpcrypt?). */
    record SidMismatch(SessionId local, String serverSaw) implements SelfTestResult {
        @Override
        public String describe() {
            return "failed: session ID mismatch: this end " + local + ", the server " + serverSaw;
        }
    }

    /** The server answered something that is no session line (not a tuncrypt test server?). */
    record BadAnswer(String detail) implements SelfTestResult {
        @Override
        public String describe() {
            return "failed: not a test server's answer: " + detail;
        }
    }

    /** No connection: refused, reset, timed out, or no route. */
    record Unreachable(String detail) implements SelfTestResult {
        @Override
        public String describe() {
            return "failed: test server unreachable: " + detail;
        }
    }
}
