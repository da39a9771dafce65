package dev.tuncrypt.tcpcrypt.eno;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.tcpcrypt.Role;
import dev.tuncrypt.tcpcrypt.SymCipher;
import dev.tuncrypt.tcpcrypt.Tep;
import dev.tuncrypt.tcpcrypt.v05.SessionSecrets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class SessionCacheTest {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    final InstantSource clock = () -> now;

    static CachedSession entry(int seed, Role role) {
        byte[] secret = new byte[32];
        secret[0] = (byte) seed;
        try (SessionSecrets s = SessionSecrets.fullHandshake(Tep.ECDHE_P256, SymCipher.AES_128_GCM, secret)) {
            return s.toCacheEntry(role);
        }
    }

    @Test
    void eachSecretIsUsedOnce() {
        SessionCache<String> c = new SessionCache<>(4, Duration.ofMinutes(10), clock);
        CachedSession a = entry(1, Role.A);
        c.put("peer", a);
        assertThat(c.takeForPeer("peer")).isSameAs(a);
        assertThat(c.takeForPeer("peer")).isNull();
        CachedSession b = entry(2, Role.B);
        c.put("client", b);
        assertThat(c.takeForPeer("client")).as("roles kept apart").isNull();
        assertThat(c.resumeLookup().take(b.resumeId())).isSameAs(b);
        assertThat(c.takeByResumeId(b.resumeId())).isNull();
        assertThat(c.size()).isZero();
    }

    @Test
    void roleAKeepsTheNewestPerPeer() {
        SessionCache<String> c = new SessionCache<>(4, Duration.ofMinutes(10), clock);
        CachedSession old = entry(1, Role.A);
        CachedSession newer = entry(2, Role.A);
        c.put("peer", old);
        c.put("peer", newer);
        assertThat(old.isClosed()).isTrue();
        assertThat(c.size()).isEqualTo(1);
        assertThat(c.takeForPeer("peer")).isSameAs(newer);
    }

    @Test
    void sizeBoundEvictsTheOldest() {
        SessionCache<String> c = new SessionCache<>(2, Duration.ofMinutes(10), clock);
        CachedSession e1 = entry(1, Role.B);
        CachedSession e2 = entry(2, Role.B);
        CachedSession e3 = entry(3, Role.A);
        c.put("x", e1);
        c.put("y", e2);
        c.put("z", e3);
        assertThat(c.size()).isEqualTo(2);
        assertThat(e1.isClosed()).isTrue();
        assertThat(c.takeByResumeId(e1.resumeId())).isNull();
        assertThat(c.takeByResumeId(e2.resumeId())).isSameAs(e2);
        assertThat(c.takeForPeer("z")).isSameAs(e3);
    }

    @Test
    void ageBound() {
        SessionCache<String> c = new SessionCache<>(8, Duration.ofSeconds(60), clock);
        CachedSession e1 = entry(1, Role.A);
        c.put("p", e1);
        now = now.plusSeconds(59);
        CachedSession e2 = entry(2, Role.A);
        c.put("q", e2);
        now = now.plusSeconds(1);
        assertThat(c.takeForPeer("p")).as("60 s old").isNull();
        assertThat(e1.isClosed()).isTrue();
        assertThat(c.takeForPeer("q")).isSameAs(e2);
        c.put("r", entry(3, Role.A));
        now = now.plusSeconds(3600);
        assertThat(c.evictExpired()).isEqualTo(1);
        assertThat(c.size()).isZero();
    }

    @Test
    void flush() {
        SessionCache<String> c = new SessionCache<>(8, Duration.ofMinutes(1), clock);
        CachedSession a = entry(1, Role.A);
        CachedSession b = entry(2, Role.B);
        CachedSession other = entry(3, Role.A);
        c.put("p", a);
        c.put("p", b);
        c.put("o", other);
        c.flush("p");
        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isTrue();
        assertThat(c.size()).isEqualTo(1);
        c.flush();
        assertThat(other.isClosed()).isTrue();
        assertThat(c.size()).isZero();
    }

    @Test
    void resumingConsumesTheSecret() {
        CachedSession e = entry(1, Role.A);
        try (SessionSecrets s = SessionSecrets.resume(e)) {
            assertThat(s.isResumed()).isTrue();
        }
        assertThat(e.isClosed()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SessionSecrets.resume(e))
                .isInstanceOf(IllegalStateException.class);
    }
}
