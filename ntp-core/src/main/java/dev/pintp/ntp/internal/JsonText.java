package dev.pintp.ntp.internal;

/**
 * The one JSON string and number writer of the project (the probe's {@code --json} and the job's webhook alerts).
 * Strings: {@code "} and {@code \} escaped, every control character, DEL, U+2028/U+2029 and lone surrogates as
 * {@code \}{@code uXXXX}, so that the output is valid JSON, valid UTF-8 and valid JavaScript. Numbers: the shortest
 * decimal that reads back as the same double ({@link Double#toString}, which no locale changes), {@code null} for
 * NaN and infinities; a number rendered elsewhere (the probe's exact decimal seconds) is checked by
 * {@link #isNumber}. Exported only to the probe and the job (module-info).
 */
public final class JsonText {
    private JsonText() {
    }

    /** {@code s} as a quoted JSON string. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        appendQuoted(sb, s);
        return sb.toString();
    }

    /** Appends {@code s} as a quoted JSON string. */
    public static void appendQuoted(StringBuilder out, String s) {
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
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || isLoneSurrogate(s, i)) {
                        String hex = Integer.toHexString(c);
                        out.append("\\u").append("0000", hex.length(), 4).append(hex);
                    } else {
                        out.append(c);
                        if (Character.isHighSurrogate(c)) {
                            out.append(s.charAt(++i)); // its low surrogate, checked by isLoneSurrogate
                        }
                    }
                }
            }
        }
        out.append('"');
    }

    /** A double as a JSON number, or {@code null} when it is not finite. */
    public static String number(double d) {
        return Double.isFinite(d) ? Double.toString(d) : "null";
    }

    /**
     * True when {@code s} is a number in JSON's grammar (RFC 8259 section 6): an optional minus, an integer part
     * without leading zeros, an optional fraction and exponent. For writers that take a number already rendered.
     */
    public static boolean isNumber(CharSequence s) {
        int n = s.length();
        int i = 0;
        if (i < n && s.charAt(i) == '-') {
            i++;
        }
        if (i < n && s.charAt(i) == '0') {
            i++;
        } else {
            int start = i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        return i == n;
    }

    private static int digits(CharSequence s, int i) {
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c);
    }
}
