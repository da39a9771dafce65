package dev.tuncrypt.tcpstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Equal shares of the queue among the connections receiving lately, a floor of a segment, growth from a few. */
class ReceiveWindowBudgetTest {
    static final int MSS = 1460;
    static final long EPOCH = ReceiveWindowBudget.EPOCH_NANOS;
    final AtomicInteger queue = new AtomicInteger(500);
    final ReceiveWindowBudget budget = new ReceiveWindowBudget(queue::get, () -> MSS);

    TcpReceiver receiver() {
        return new TcpReceiver(null, new ReceiveBuffer(1 << 20));
    }

    @Test
    void halfTheQueueIsSharedAmongTheReceivingConnections() {
        long whole = 500L * ReceiveWindowBudget.QUEUE_SHARE_PERCENT / 100 * MSS;
        assertThat(budget.bytes(0)).isEqualTo(whole);
        assertThat(budget.share(MSS, 0)).as("no one receiving yet: all of it").isEqualTo(whole);
        for (int i = 0; i < 10; i++) {
            budget.received(receiver(), 0);
        }
        assertThat(budget.share(MSS, 0)).isEqualTo(whole / 10);
        assertThat(budget.receiving(0)).isEqualTo(10);
    }

    @Test
    void aConnectionCountsOncePerPeriod() {
        TcpReceiver r = receiver();
        budget.received(r, 0);
        budget.received(r, 1);
        budget.received(r, EPOCH - 1);
        assertThat(budget.receiving(EPOCH - 1)).isEqualTo(1);
    }

    @Test
    void theCountFollowsTheLastTwoPeriods() {
        for (int i = 0; i < 200; i++) {
            budget.received(receiver(), 0);
        }
        TcpReceiver still = receiver();
        budget.received(still, EPOCH);
        assertThat(budget.receiving(EPOCH)).as("last period's 200 still count").isEqualTo(200);
        budget.received(still, 2 * EPOCH);
        assertThat(budget.receiving(2 * EPOCH)).isEqualTo(1);
        assertThat(budget.receiving(5 * EPOCH)).as("a gap of periods").isZero();
    }

    @Test
    void neverLessThanASegment() {
        for (int i = 0; i < 2000; i++) {
            budget.received(receiver(), 0);
        }
        assertThat(budget.share(MSS, 0)).isEqualTo(ReceiveWindowBudget.MIN_SEGMENTS * MSS);
        assertThat(budget.limit(MSS, 0, 0)).isEqualTo(ReceiveWindowBudget.MIN_SEGMENTS * MSS);
    }

    @Test
    void aWindowStartsAtAFewSegmentsAndGrowsByWhatArrives() {
        long start = (long) ReceiveWindowBudget.INITIAL_SEGMENTS * MSS;
        assertThat(budget.limit(MSS, 0, 0)).isEqualTo(start);
        assertThat(budget.limit(MSS, 100_000, 0)).isEqualTo(start + 100_000);
        assertThat(budget.limit(MSS, 10_000_000, 0)).as("up to the share").isEqualTo(budget.share(MSS, 0));
    }

    @Test
    void aQueueChangedByTheOperatorIsReadAgainEachPeriod() {
        long before = budget.bytes(0);
        queue.set(5000);
        assertThat(budget.bytes(EPOCH / 2)).isEqualTo(before);
        assertThat(budget.bytes(EPOCH)).isEqualTo(before * 10);
    }

    @Test
    void aLinkWithoutAQueueGivesNoBudget() {
        queue.set(0);
        ReceiveWindowBudget none = new ReceiveWindowBudget(queue::get, () -> MSS);
        none.received(receiver(), 0);
        assertThat(none.share(MSS, 0)).isEqualTo(Integer.MAX_VALUE);
        assertThat(none.limit(MSS, 0, 0)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aQueuedSuperPacketCountsAsAFewSegments() {
        assertThat(ReceiveWindowBudget.bytesPerQueuedPacket(MSS, false)).isEqualTo(MSS);
        assertThat(ReceiveWindowBudget.bytesPerQueuedPacket(MSS, true))
                .isEqualTo(ReceiveWindowBudget.SEGMENTS_PER_SUPER_PACKET * MSS);
    }
}
