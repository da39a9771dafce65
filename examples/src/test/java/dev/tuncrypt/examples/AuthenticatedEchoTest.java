package dev.tuncrypt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The example authenticates a session with a shared password, and refuses a wrong one. */
class AuthenticatedEchoTest {

    @Test
    void samePasswordAuthenticatesAndEchoes() throws Exception {
        AuthenticatedEcho.Outcome o = AuthenticatedEcho.run("s3cret", "s3cret", "ping");
        assertThat(o.serverAccepted()).isTrue();
        assertThat(o.clientAccepted()).isTrue();
        assertThat(o.echoed()).isEqualTo("ping");
        assertThat(o.sessionId()).hasSize(66).matches("2[1-4][0-9a-f]{64}"); // RFC 8548 §3.4: the TEP identifier first (X25519 by default)
    }

    @Test
    void wrongPasswordIsRejectedByBothEnds() throws Exception {
        AuthenticatedEcho.Outcome o = AuthenticatedEcho.run("s3cret", "guess", "ping");
        assertThat(o.serverAccepted()).isFalse();
        assertThat(o.clientAccepted()).isFalse();
        assertThat(o.echoed()).isNull();
    }
}
