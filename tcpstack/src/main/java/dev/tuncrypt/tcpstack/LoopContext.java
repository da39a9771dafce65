package dev.tuncrypt.tcpstack;

import dev.tuncrypt.tcpstack.ip.IcmpErrors;
import dev.tuncrypt.tcpstack.ip.IpOutput;
import dev.tuncrypt.tun.Clock;
import java.util.random.RandomGenerator;

/** What a protocol handler may use from the loop that owns it. All of it is loop-confined. */
public interface LoopContext {
    int loopIndex();

    Clock clock();

    RandomGenerator random();

    StackAddresses addresses();

    StackCounters counters();

    IpOutput output();

    IcmpErrors icmpErrors();

    /** The handler of transport protocol {@code protocol}, or null. */
    ProtocolHandler transport(int protocol);

    /** Which loop owns which flow, when the stack has several loops. */
    FlowDirectory<Object> flows();

    /** This loop. */
    StackLoop loop();

    /** Runs {@code task} on this loop soon; safe from any thread. */
    void post(Runnable task);

    /**
     * Runs a packet this loop read earlier (and kept a copy of) through input again, as if it had
     * just arrived; not counted as received a second time.
     */
    void reinject(java.nio.ByteBuffer buf, int length);
}
