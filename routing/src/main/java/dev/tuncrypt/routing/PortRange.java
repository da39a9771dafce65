package dev.tuncrypt.routing;

import java.util.ArrayList;
import java.util.List;

/** TCP ports {@code first..last} (one port when equal). */
public record PortRange(int first, int last) {

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range " + first + "-" + last + " outside 1-65535 or reversed");
        }
    }

    /** Parses a list such as {@code 80}, {@code 80,443} or {@code 8000-8100,9000}. */
    public static List<PortRange> parseList(String text) throws InvalidPlanException {
        if (text.isEmpty()) {
            throw new InvalidPlanException("empty port list");
        }
        List<PortRange> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            int dash = part.indexOf('-');
            int a = port(dash < 0 ? part : part.substring(0, dash), text);
            int b = dash < 0 ? a : port(part.substring(dash + 1), text);
            if (a > b) {
                throw new InvalidPlanException("ports '" + text + "': range " + part + " is reversed");
            }
            PortRange r = new PortRange(a, b);
            for (PortRange o : out) {
                if (o.first <= r.last && r.first <= o.last) {
                    throw new InvalidPlanException("ports '" + text + "': " + part + " overlaps " + o);
                }
            }
            out.add(r);
        }
        return List.copyOf(out);
    }

    private static int port(String s, String whole) throws InvalidPlanException {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            throw new InvalidPlanException("ports '" + whole + "': '" + s + "' is not a port number");
        }
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) {
            throw new InvalidPlanException("ports '" + whole + "': " + p + " is outside 1-65535");
        }
        return p;
    }

    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
