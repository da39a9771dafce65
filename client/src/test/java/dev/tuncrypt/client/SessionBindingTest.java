package dev.tuncrypt.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SessionBindingTest {
    static final byte[] SID = ShortAuthStringTest.sid(7);

    /** Runs both ends over pipes; returns {client accepted, server accepted}. */
    static boolean[] exchange(String clientPassword, String serverPassword, byte[] clientSid, byte[] serverSid)
            throws Exception {
        PipedOutputStream c2s = new PipedOutputStream();
        PipedInputStream sIn = new PipedInputStream(c2s, 64);
        PipedOutputStream s2c = new PipedOutputStream();
        PipedInputStream cIn = new PipedInputStream(s2c, 64);
        SessionBinding client = SessionBinding.fromPassword(clientPassword.toCharArray(), 1000);
        SessionBinding server = SessionBinding.fromPassword(serverPassword.toCharArray(), 1000);
        CompletableFuture<Boolean> s = CompletableFuture.supplyAsync(() -> {
            try {
                return server.exchange(serverSid, SessionBinding.Role.SERVER, sIn, s2c);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        boolean c = client.exchange(clientSid, SessionBinding.Role.CLIENT, cIn, c2s);
        return new boolean[] {c, s.get(5, TimeUnit.SECONDS)};
    }

    @Test
    void samePasswordAndSessionAccept() throws Exception {
        assertThat(exchange("pw", "pw", SID, SID)).containsExactly(true, true);
    }

    @Test
    void wrongPasswordOrDifferentSessionReject() throws Exception {
        assertThat(exchange("pw", "other", SID, SID)).containsExactly(false, false);
        // a man in the middle: two sessions with different IDs
        assertThat(exchange("pw", "pw", SID, ShortAuthStringTest.sid(8))).containsExactly(false, false);
    }

    @Test
    void proofsDependOnRoleSoTheyCannotBeReflected() {
        SessionBinding b = SessionBinding.fromPassword("pw".toCharArray(), 1000);
        byte[] client = b.proof(SID, SessionBinding.Role.CLIENT);
        assertThat(client).hasSize(SessionBinding.PROOF_LENGTH).isNotEqualTo(b.proof(SID, SessionBinding.Role.SERVER));
        assertThat(b.verify(SID, SessionBinding.Role.CLIENT, client)).as("own proof reflected").isFalse();
        assertThat(b.verify(SID, SessionBinding.Role.SERVER, client)).isTrue();
        b.destroy();
        assertThat(b.verify(SID, SessionBinding.Role.SERVER, client)).as("key zeroed").isFalse();
    }
}
