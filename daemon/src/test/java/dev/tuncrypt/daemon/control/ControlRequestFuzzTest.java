package dev.tuncrypt.daemon.control;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tuncrypt.client.wire.ControlMessage;
import dev.tuncrypt.client.wire.MalformedMessageException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Coverage-guided fuzz target for control-socket datagrams as the daemon takes them: decoded as
 * the server does, then answered against a target with connections in every phase, by root and
 * by an unknown sender. Every request gets an answer (an errno for what is wrong), never an
 * exception.
 */
class ControlRequestFuzzTest {
    private static final FakeTarget TARGET = new FakeTarget();
    private static final ControlRequests REQUESTS;

    static {
        TARGET.add(new FakeTarget.FakeView("198.18.0.1", 52774, "198.18.0.2", 7777, ConnectionView.Phase.ENCRYPTED, 1, 1000));
        TARGET.add(new FakeTarget.FakeView("198.18.0.1", 52775, "198.18.0.3", 80, ConnectionView.Phase.PLAIN, 2, 1000));
        TARGET.add(new FakeTarget.FakeView("2001:2::1", 40000, "2001:2::2", 443, ConnectionView.Phase.ENCRYPTED, 3, 0));
        REQUESTS = new ControlRequests(TARGET, new AccessPolicy(SocketPermissions.DEFAULT), new ControlCounters(),
                Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory()), 1000, 64);
    }

    @FuzzTest
    void datagrams(byte[] datagram) throws Exception {
        ControlMessage request;
        try {
            request = ControlMessage.decode(ByteBuffer.wrap(datagram), ControlServer.MAX_REQUEST_DATA);
        } catch (MalformedMessageException e) {
            return;
        }
        REQUESTS.answer(request, Requester.ROOT).toCompletableFuture().get(5, TimeUnit.SECONDS);
        REQUESTS.answer(request, Requester.UNKNOWN).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
