package dev.tuncrypt.tcpstack.tcp;

import dev.tuncrypt.tcpstack.MemoryBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs connections refused for want of memory: the first at once, then a summary at most every 10 s. Loop thread only. */
final class MemoryRefusals {
    private static final Logger log = LoggerFactory.getLogger(MemoryRefusals.class);
    private static final long INTERVAL_NANOS = 10_000_000_000L;

    private final MemoryBudget budget;
    private long lastLogAt = Long.MIN_VALUE;
    private long sinceLog;

    MemoryRefusals(MemoryBudget budget) {
        this.budget = budget;
    }

    void refused(long now, Object who) {
        sinceLog++;
        if (lastLogAt != Long.MIN_VALUE && now - lastLogAt < INTERVAL_NANOS) {
            return;
        }
        log.warn("refused {} new connection(s) (latest {}): memory budget {} of {} bytes in use (refusing from {}%)",
                sinceLog, who, budget.used(), budget.limit(), Math.round(MemoryBudget.REFUSE_AT * 100));
        lastLogAt = now;
        sinceLog = 0;
    }
}
