package dev.tuncrypt.tcpstack.tcp;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/** Congestion control algorithms by name: "cubic" (the default, as in Linux) and "newreno". */
public final class CongestionControls {
    /** The algorithm used when none is configured. */
    public static final String DEFAULT = Cubic.NAME;

    private static final Map<String, IntFunction<CongestionControl>> FACTORIES =
            Map.of(Cubic.NAME, Cubic::new, NewReno.NAME, NewReno::new);

    private CongestionControls() {}

    /** Names of the available algorithms. */
    public static Set<String> names() {
        return FACTORIES.keySet();
    }

    /**
     * A new controller of the named algorithm for a sender with the given SMSS, or empty when no
     * algorithm has that name.
     */
    public static Optional<CongestionControl> create(String name, int smss) {
        IntFunction<CongestionControl> factory = FACTORIES.get(name);
        return factory == null ? Optional.empty() : Optional.of(factory.apply(smss));
    }

    /** A new controller of the {@link #DEFAULT} algorithm. */
    public static CongestionControl createDefault(int smss) {
        return new Cubic(smss);
    }
}
