package dev.pintp.sysconf;

/**
 * Makes text from a configuration file safe to show on one line of a log or terminal: control characters (C0, DEL,
 * C1), the Unicode line and paragraph separators and unpaired surrogates become {@code \n}, {@code \t}, {@code \r},
 * {@code \xNN} or {@code \\u}NNNN. Everything else is kept as it is.
 */
public final class Escapes {
    private Escapes() {
    }

    /** {@code text} with the characters above escaped; never null for a non-null argument. */
    public static String escape(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = replacement(text, i, c);
            if (replacement == null) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            sb.append(replacement);
        }
        return sb == null ? text : sb.toString();
    }

    private static String replacement(String text, int i, char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\t':
                return "\\t";
            case '\r':
                return "\\r";
            default:
                break;
        }
        if (c < 0x20 || c == 0x7F) {
            return String.format("\\x%02x", (int) c);
        }
        if ((c >= 0x80 && c <= 0x9F) || c == '\u2028' || c == '\u2029') {
            return String.format("\\u%04x", (int) c);
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)) ? null
                    : String.format("\\u%04x", (int) c);
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(text.charAt(i - 1)) ? null : String.format("\\u%04x", (int) c);
        }
        return null;
    }
}
