package dev.tuncrypt.routing;

/** A packet mark with its mask ({@code --steer-mark 0x10} or {@code 0x10/0xff}). */
public record FirewallMark(long value, long mask) {

    public FirewallMark {
        if (value < 0 || value > 0xffffffffL || mask < 1 || mask > 0xffffffffL) {
            throw new IllegalArgumentException("mark and mask are 32-bit, mask non-zero");
        }
        if ((value & ~mask) != 0) {
            throw new IllegalArgumentException("mark has bits outside its mask");
        }
    }

    /** Parses {@code MARK} or {@code MARK/MASK}, decimal or {@code 0x} hex. */
    public static FirewallMark parse(String text) throws InvalidPlanException {
        int slash = text.indexOf('/');
        long value = number(slash < 0 ? text : text.substring(0, slash), text);
        long mask = slash < 0 ? 0xffffffffL : number(text.substring(slash + 1), text);
        if (value == 0) {
            throw new InvalidPlanException("mark '" + text + "': 0 is every unmarked packet, not a mark");
        }
        if (mask == 0) {
            throw new InvalidPlanException("mark '" + text + "': the mask must not be 0");
        }
        if ((value & ~mask) != 0) {
            throw new InvalidPlanException("mark '" + text + "': the mark has bits outside the mask");
        }
        return new FirewallMark(value, mask);
    }

    private static long number(String s, String whole) throws InvalidPlanException {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (v < 0 || v > 0xffffffffL || s.startsWith("+") || s.startsWith("-")) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidPlanException("mark '" + whole + "': '" + s + "' is not a 32-bit number");
        }
    }

    @Override
    public String toString() {
        return mask == 0xffffffffL ? "0x" + Long.toHexString(value) : "0x" + Long.toHexString(value) + "/0x" + Long.toHexString(mask);
    }
}
