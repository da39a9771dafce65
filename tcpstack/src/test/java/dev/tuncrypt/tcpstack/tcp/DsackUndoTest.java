package dev.tuncrypt.tcpstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The D-SACK undo of a spurious recovery (RFC 3708), state by state. */
class DsackUndoTest {
    final DsackUndo undo = new DsackUndo();

    @Test
    void everyRetransmissionReportedAsDuplicateUndoesTheRecovery() {
        undo.onEnterRecovery(20_000, 10_000, 1001);
        undo.onRetransmission(1001, 2001);
        undo.onRetransmission(2001, 3001);
        undo.onAck(3001);
        assertThat(undo.onDsack(1001, 2001)).as("one of two retransmissions reported").isFalse();
        assertThat(undo.onDsack(2001, 3001)).as("RFC 3708 §3: all were duplicates").isTrue();
        assertThat(undo.priorCwnd()).isEqualTo(20_000);
        assertThat(undo.undone()).isEqualTo(1);
    }

    @Test
    void aDsackOutsideTheEpisodesRetransmissionsDoesNotCount() {
        undo.onEnterRecovery(20_000, 10_000, 1001);
        undo.onRetransmission(1001, 2001);
        assertThat(undo.onDsack(5001, 6001)).isFalse();
        assertThat(undo.onDsack(1001, 2001)).isTrue();
    }

    /**
     * An episode whose D-SACK never came (the retransmission repaired a real loss) is forgotten as
     * SND.UNA moves on: 2^32 octets later the same sequence numbers name new data, and a D-SACK of
     * them must not restore the window of the old recovery.
     */
    @Test
    void anEpisodeLeftFarBehindIsNotUndoneWhenTheSequenceSpaceWraps() {
        undo.onEnterRecovery(20_000, 10_000, 1001);
        undo.onRetransmission(1001, 2001); // a real loss: no D-SACK comes
        int una = 2001;
        for (long acked = 0; acked < (1L << 32); acked += 1 << 20) {
            una += 1 << 20;
            undo.onAck(una);
        }
        assertThat(undo.onDsack(1001, 2001)).as("the same numbers 2^32 octets on").isFalse();
        assertThat(undo.undone()).isZero();
    }
}
