package dev.tuncrypt.daemon.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, written from the format's description
 * and independent of {@link ExpositionWriter}: every line must be a HELP, a TYPE or a sample;
 * HELP and TYPE come once per family and before its samples; a family's samples are contiguous
 * and named after it (histograms: {@code _bucket} with {@code le}, {@code _sum}, {@code _count},
 * cumulative buckets ending in {@code +Inf} equal to the count); no series twice; values are
 * Go floats. Any violation throws with the line number.
 */
final class StrictExpositionParser {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") ((?:[^\\\\\\n]|\\\\\\\\|\\\\n)*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\\\\\|\\\\\"|\\\\n)*)\"");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(Inf|NaN|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?)");

    /** One series: name and labels (sorted). */
    record Series(String name, Map<String, String> labels) {
        static Series of(String name, String... labels) {
            Map<String, String> m = new TreeMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                m.put(labels[i], labels[i + 1]);
            }
            return new Series(name, m);
        }
    }

    /** What a text held. */
    record Exposition(Map<String, String> types, Map<String, String> helps, Map<Series, Double> samples) {
        double value(String name, String... labels) {
            Double v = samples.get(Series.of(name, labels));
            if (v == null) {
                throw new AssertionError("no series " + Series.of(name, labels) + " in " + samples.keySet());
            }
            return v;
        }
    }

    static Exposition parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the text must end with a newline");
        }
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<Series, Double> samples = new LinkedHashMap<>();
        Set<String> closedFamilies = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            Matcher m;
            if (line.startsWith("# HELP ")) {
                m = HELP.matcher(line);
                require(m.matches(), where + "malformed HELP");
                String fam = m.group(1);
                require(!helps.containsKey(fam), where + "second HELP for " + fam);
                require(!samplesOf(samples, fam), where + "HELP after samples of " + fam);
                helps.put(fam, unescape(m.group(2), false));
                current = switchFamily(current, fam, closedFamilies, where);
            } else if (line.startsWith("# TYPE ")) {
                m = TYPE.matcher(line);
                require(m.matches(), where + "malformed TYPE");
                String fam = m.group(1);
                require(!types.containsKey(fam), where + "second TYPE for " + fam);
                require(!samplesOf(samples, fam), where + "TYPE after samples of " + fam);
                types.put(fam, m.group(2));
                current = switchFamily(current, fam, closedFamilies, where);
            } else if (line.startsWith("#")) {
                throw new AssertionError(where + "unexpected comment");
            } else {
                m = SAMPLE.matcher(line);
                require(m.matches(), where + "malformed sample");
                String name = m.group(1);
                String fam = familyOf(name, types);
                require(fam != null, where + "sample before a TYPE for its family");
                current = switchFamily(current, fam, closedFamilies, where);
                Map<String, String> labels = new TreeMap<>();
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    parseLabels(m.group(3), labels, where);
                }
                require(FLOAT.matcher(m.group(4)).matches(), where + "value is not a float");
                Series s = new Series(name, labels);
                require(samples.put(s, parseFloat(m.group(4))) == null, where + "series written twice");
                String type = types.get(fam);
                if (type.equals("histogram")) {
                    require(!name.equals(fam), where + "histogram sample without _bucket/_sum/_count");
                    require(!name.endsWith("_bucket") || labels.containsKey("le"), where + "bucket without le");
                    require(!labels.containsKey("le") || name.endsWith("_bucket"), where + "le outside a bucket");
                } else {
                    require(name.equals(fam), where + "sample name differs from its " + type + " family");
                    require(!labels.containsKey("le") || !type.equals("counter"), where + "le on a counter");
                }
            }
        }
        for (String fam : types.keySet()) {
            if (types.get(fam).equals("histogram")) {
                checkHistogram(fam, samples);
            }
        }
        return new Exposition(types, helps, samples);
    }

    private static String switchFamily(String current, String fam, Set<String> closed, String where) {
        if (!fam.equals(current)) {
            require(!closed.contains(fam), where + "family " + fam + " appears in two places");
            if (current != null) {
                closed.add(current);
            }
        }
        return fam;
    }

    private static boolean samplesOf(Map<Series, Double> samples, String fam) {
        return samples.keySet().stream().anyMatch(s -> s.name().equals(fam) || s.name().equals(fam + "_bucket")
                || s.name().equals(fam + "_sum") || s.name().equals(fam + "_count"));
    }

    private static String familyOf(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }

    private static void parseLabels(String s, Map<String, String> into, String where) {
        int i = 0;
        while (i < s.length()) {
            Matcher m = LABEL.matcher(s);
            require(m.find(i) && m.start() == i, where + "malformed label at " + s.substring(i));
            require(into.put(m.group(1), unescape(m.group(2), true)) == null, where + "label twice");
            i = m.end();
            if (i < s.length()) {
                require(s.charAt(i) == ',', where + "labels must be separated by ','");
                i++;
                require(i < s.length(), where + "trailing ','"); // 0.0.4 allows it, but we never write it
            }
        }
    }

    private static void checkHistogram(String fam, Map<Series, Double> samples) {
        Map<Map<String, String>, List<double[]>> buckets = new HashMap<>();
        samples.forEach((s, v) -> {
            if (s.name().equals(fam + "_bucket")) {
                Map<String, String> rest = new TreeMap<>(s.labels());
                double le = parseFloat(rest.remove("le"));
                buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(new double[] {le, v});
            }
        });
        require(!buckets.isEmpty(), "histogram " + fam + " has no buckets");
        buckets.forEach((labels, list) -> {
            list.sort((a, b) -> Double.compare(a[0], b[0]));
            for (int i = 1; i < list.size(); i++) {
                require(list.get(i)[1] >= list.get(i - 1)[1], "histogram " + fam + " buckets not cumulative");
            }
            double[] last = list.get(list.size() - 1);
            require(last[0] == Double.POSITIVE_INFINITY, "histogram " + fam + " has no +Inf bucket");
            Double count = samples.get(new Series(fam + "_count", labels));
            require(count != null && samples.containsKey(new Series(fam + "_sum", labels)),
                    "histogram " + fam + " without _sum or _count");
            require(count == last[1], "histogram " + fam + ": +Inf bucket " + last[1] + " != count " + count);
        });
    }

    private static double parseFloat(String s) {
        return switch (s) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static String unescape(String s, boolean quotes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case '"' -> {
                    require(quotes, "escaped quote outside a label value");
                    b.append('"');
                }
                default -> throw new AssertionError("bad escape \\" + next);
            }
        }
        return b.toString();
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
