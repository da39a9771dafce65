package dev.tuncrypt.tcpstack.tcp;

/**
 * How a connection that negotiated SACK finds lost segments; chosen once per connection from
 * {@link TcpConfig#lossRecovery()}. Connections without SACK use NewReno (RFC 6582) either way.
 */
public enum LossRecovery {
    /**
     * RACK-TLP (RFC 8985): losses by time with an adaptive reordering window, tail loss probes,
     * D-SACK undo of spurious recoveries (RFC 3708); SACK scoreboard and pipe of RFC 6675.
     */
    RACK_TLP,
    /** RFC 6675: a segment is lost when DupThresh segments (or ranges) above it are SACKed. */
    RFC6675
}
