package dev.tuncrypt.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuncrypt.client.transport.LinuxDatagramSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotifierTest {
    @TempDir
    Path dir;

    @Test
    void readyAndStoppingReachASocketFile() throws Exception {
        Path path = dir.resolve("notify");
        try (LinuxDatagramSocket systemd = LinuxDatagramSocket.bind(new LinuxDatagramSocket.UnixAddress(path.toString(), false))) {
            SystemdNotifier n = SystemdNotifier.forSocket(path.toString());
            assertThat(n.active()).isTrue();
            n.ready("serving on tcry0");
            assertThat(receive(systemd)).startsWith("READY=1\nSTATUS=serving on tcry0\nMAINPID=" + ProcessHandle.current().pid());
            n.stopping();
            assertThat(receive(systemd)).startsWith("STOPPING=1\n");
        }
    }

    /**
     * systemd's abstract names carry no trailing NUL (sd_notify(3)): the address is a NUL and
     * exactly the name's bytes. The receiver here is bound through UnixAddress, which appends a
     * NUL to the name (tcpcryptd's way); the notifier reaches it only when given that NUL as part
     * of the name, so nothing is added or dropped.
     */
    @Test
    void abstractNameIsExactlyTheName() throws Exception {
        String name = "tuncrypt-notify-test-" + ThreadLocalRandom.current().nextLong(1L << 40);
        try (LinuxDatagramSocket systemd = LinuxDatagramSocket.bind(new LinuxDatagramSocket.UnixAddress(name, true))) {
            SystemdNotifier.forSocket("@" + name).ready("does not arrive");
            SystemdNotifier.forSocket("@" + name + "\0").ready("ok");
            assertThat(receive(systemd)).startsWith("READY=1\nSTATUS=ok\n");
        }
    }

    @Test
    void withoutTheVariableOrWithAnotherFormItDoesNothing() {
        assertThat(SystemdNotifier.forSocket(null).active()).isFalse();
        assertThat(SystemdNotifier.forSocket("").active()).isFalse();
        assertThat(SystemdNotifier.forSocket("vsock:2:1234").active()).isFalse();
        SystemdNotifier.forSocket(null).ready("nothing happens");
        // an unreachable socket is logged, not thrown: the daemon runs on
        SystemdNotifier.forSocket(dir.resolve("nobody").toString()).ready("nobody listens");
    }

    private static String receive(LinuxDatagramSocket s) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(512);
        LinuxDatagramSocket.Received r = s.receive(b, 5000);
        return new String(b.array(), 0, r.length(), StandardCharsets.UTF_8);
    }
}
