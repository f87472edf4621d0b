package dev.pintp.probe;

import dev.pintp.ntp.internal.JsonText;

/**
 * A minimal streaming JSON writer (RFC 8259) producing compact output: enough for the probe's one document, with
 * no reflection and no dependency. Commas are inserted automatically; the caller keeps names and values paired.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** Per nesting level: true once the container has an element. */
    private boolean[] hasElement = new boolean[8];
    private int depth;
    private boolean afterName;

    JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        push();
        return this;
    }

    JsonWriter endObject() {
        depth--;
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        push();
        return this;
    }

    JsonWriter endArray() {
        depth--;
        out.append(']');
        return this;
    }

    /** The next member's name; a value must follow. */
    JsonWriter name(String name) {
        beforeValue();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** A string value, or null. */
    JsonWriter value(String value) {
        beforeValue();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    /** An integer value. */
    JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    /**
     * A number already rendered (exact decimal seconds, say), or null.
     *
     * @throws IllegalArgumentException when {@code value} is not a number in JSON's grammar
     */
    JsonWriter number(String value) {
        if (value != null && !JsonText.isNumber(value)) {
            throw new IllegalArgumentException("not a JSON number: " + JsonText.quote(value));
        }
        beforeValue();
        out.append(value == null ? "null" : value);
        return this;
    }

    /** The document so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    private void push() {
        if (depth == hasElement.length) {
            hasElement = java.util.Arrays.copyOf(hasElement, depth * 2);
        }
        hasElement[depth++] = false;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (hasElement[depth - 1]) {
                out.append(',');
            }
            hasElement[depth - 1] = true;
        }
    }

    private void string(String s) {
        JsonText.appendQuoted(out, s);
    }
}
