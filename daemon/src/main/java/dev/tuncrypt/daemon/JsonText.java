package dev.tuncrypt.daemon;

/** Writes JSON text by hand (RFC 8259): strings escaped, numbers as integers. */
final class JsonText {
    private final StringBuilder out = new StringBuilder();
    private boolean needComma;

    JsonText beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    JsonText endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    JsonText beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    JsonText endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** A member name; the value follows. */
    JsonText name(String name) {
        comma();
        string(name);
        out.append(':');
        needComma = false;
        return this;
    }

    JsonText value(String s) {
        comma();
        string(s);
        needComma = true;
        return this;
    }

    JsonText value(long v) {
        comma();
        out.append(v);
        needComma = true;
        return this;
    }

    JsonText value(boolean v) {
        comma();
        out.append(v);
        needComma = true;
        return this;
    }

    JsonText member(String name, String v) {
        return name(name).value(v);
    }

    JsonText member(String name, long v) {
        return name(name).value(v);
    }

    JsonText member(String name, boolean v) {
        return name(name).value(v);
    }

    private void comma() {
        if (needComma) {
            out.append(',');
            needComma = false;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
                            && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                                    && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
