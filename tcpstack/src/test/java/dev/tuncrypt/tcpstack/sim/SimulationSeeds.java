package dev.tuncrypt.tcpstack.sim;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.SequencedSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Seeds of simulation tests, and how to replay one.
 *
 * <p>Convention: a test takes its seeds from {@link #seeds(int)} (or {@link #seed(long)}), which
 * return only {@code -Dtuncrypt.seed=<n>} when it is set, so a failure is replayed with
 * {@code -Dtuncrypt.seed=<n> -Dtest=Class#method}; otherwise seeds {@code base .. base+count-1},
 * {@code base} being {@code -Dtuncrypt.seedBase} (default 1) to explore other seeds.
 *
 * <p>{@link Simulation}'s own failures name the seed and the replay command. Registered with
 * {@code @ExtendWith(SimulationSeeds.class)}, this class also adds them to any other failure of a
 * test that built a simulation (e.g. an assertion on what was transferred).
 */
public final class SimulationSeeds implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler {
    /** System property replaying one seed. */
    public static final String PROPERTY = "tuncrypt.seed";
    /** System property moving the default seeds. */
    public static final String BASE_PROPERTY = "tuncrypt.seedBase";
    /** System property overriding how many seeds a matrix runs (for {@code make soak}). */
    public static final String COUNT_PROPERTY = "tuncrypt.seedCount";

    private static final ThreadLocal<SequencedSet<Long>> USED = ThreadLocal.withInitial(LinkedHashSet::new);
    private static final ThreadLocal<String> CURRENT_TEST = new ThreadLocal<>();

    /** The seed given with {@code -Dtuncrypt.seed}, if any. */
    public static OptionalLong replaying() {
        String s = System.getProperty(PROPERTY);
        return s == null || s.isBlank() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s.strip()));
    }

    /** The replayed seed if set, else {@code fallback}. */
    public static long seed(long fallback) {
        return replaying().orElse(fallback);
    }

    /** The replayed seed alone if set, else {@code count} seeds from the base; for {@code @MethodSource}. */
    public static long[] seeds(int count) {
        OptionalLong replay = replaying();
        if (replay.isPresent()) {
            return new long[] {replay.getAsLong()};
        }
        long base = Long.parseLong(System.getProperty(BASE_PROPERTY, "1").strip());
        count = Integer.parseInt(System.getProperty(COUNT_PROPERTY, String.valueOf(count)).strip());
        return LongStream.range(base, base + count).toArray();
    }

    /** The replayed seed alone if set, else {@code defaults}. */
    public static long[] seeds(long... defaults) {
        OptionalLong replay = replaying();
        return replay.isPresent() ? new long[] {replay.getAsLong()} : defaults.clone();
    }

    /** The Maven command replaying {@code seed} in the current test. */
    public static String replay(long seed) {
        return "mvn -pl tcpstack -am test -Dsurefire.failIfNoSpecifiedTests=false -D" + PROPERTY + "=" + seed
                + " -Dtest=" + currentTest();
    }

    static void noteSeed(long seed) {
        USED.get().add(seed);
    }

    /** {@code Class#method} of the running test: from this extension if registered, else from the stack. */
    static String currentTest() {
        String test = CURRENT_TEST.get();
        if (test != null) {
            return test;
        }
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.filter(f -> isTest(f.getDeclaringClass(), f.getMethodName()))
                        .map(f -> name(f.getDeclaringClass(), f.getMethodName()))
                        .findFirst())
                .orElse("<TestClass>#<method>");
    }

    private static boolean isTest(Class<?> type, String method) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().equals(method) && AnnotationSupport.isAnnotated(m, Testable.class)) {
                return true;
            }
        }
        return false;
    }

    private static String name(Class<?> type, String method) {
        Class<?> top = type;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass(); // surefire selects top-level classes
        }
        return top.getSimpleName() + "#" + method;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        USED.get().clear();
        CURRENT_TEST.set(name(context.getRequiredTestClass(), context.getRequiredTestMethod().getName()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        USED.remove();
        CURRENT_TEST.remove();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        SequencedSet<Long> used = USED.get();
        String message = String.valueOf(failure.getMessage());
        if (used.isEmpty() || message.contains("seed=")) {
            throw failure;
        }
        long seed = used.getLast();
        String seeds = used.size() > 1 ? " (seeds of this test's simulations: " + used + ")" : "";
        throw new AssertionError("seed=" + seed + seeds + "\n  replay: " + replay(seed) + "\n" + message, failure);
    }
}
