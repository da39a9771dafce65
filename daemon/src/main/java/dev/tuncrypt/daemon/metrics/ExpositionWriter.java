package dev.tuncrypt.daemon.metrics;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: per metric family one
 * {@code # HELP} and one {@code # TYPE} line, then its samples, each family once. Names are
 * checked against the format's grammar; HELP text escapes backslash and newline, label values
 * backslash, double quote and newline, as the format requires.
 */
public final class ExpositionWriter {
    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** The family types of format 0.0.4 used here. */
    public enum Type {
        COUNTER, GAUGE, HISTOGRAM, UNTYPED;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final StringBuilder out = new StringBuilder(4096);
    private final Set<String> families = new HashSet<>();
    private String family;
    private Type type;

    /** Starts a family: its HELP and TYPE lines. A family name may appear only once. */
    public ExpositionWriter family(String name, Type type, String help) {
        checkName(name);
        if (!families.add(name)) {
            throw new IllegalStateException("metric family " + name + " written twice");
        }
        this.family = name;
        this.type = type;
        out.append("# HELP ").append(name).append(' ');
        escapeHelp(help);
        out.append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.word()).append('\n');
        return this;
    }

    /** A sample of the current family without labels. */
    public ExpositionWriter sample(long value) {
        return sample("", value);
    }

    /** A sample of the current family with {@code labels} given as name, value, name, value, ... */
    public ExpositionWriter sample(long value, String... labels) {
        return sample("", value, labels);
    }

    /** A sample of the current family with a suffix ({@code _bucket}, {@code _sum}, {@code _count}). */
    public ExpositionWriter sample(String suffix, long value, String... labels) {
        startSample(suffix, labels);
        out.append(value).append('\n');
        return this;
    }

    /** A floating-point sample ({@code NaN}, {@code +Inf}, {@code -Inf} as the format spells them). */
    public ExpositionWriter sample(String suffix, double value, String... labels) {
        startSample(suffix, labels);
        out.append(formatDouble(value)).append('\n');
        return this;
    }

    private void startSample(String suffix, String[] labels) {
        if (family == null) {
            throw new IllegalStateException("a sample needs a family first");
        }
        if (!suffix.isEmpty() && type != Type.HISTOGRAM) {
            throw new IllegalStateException("suffix " + suffix + " on a " + type.word());
        }
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        for (int i = 0; i < labels.length; i += 2) { // checked before anything is written
            if (!LABEL_NAME.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                throw new IllegalArgumentException("invalid label name '" + labels[i] + "'");
            }
        }
        out.append(family).append(suffix);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escapeLabelValue(labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        out.append(' ');
    }

    /** The text written so far. */
    public String text() {
        return out.toString();
    }

    /** A bucket bound in seconds from nanoseconds, shortest exact decimal ({@code 0.00005}). */
    public static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    static String formatDouble(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static void checkName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name '" + name + "'");
        }
    }

    private void escapeHelp(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private void escapeLabelValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }
}
