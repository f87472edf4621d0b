package dev.pintp.ntp;

import java.util.Objects;

/**
 * The four-character code of a Kiss-o'-Death packet (RFC 5905 section 7.4, RFC 8633 section 5.4).
 *
 * @param code the ASCII code as sent, trailing NULs and spaces removed, for example {@code "RATE"}
 */
public record KissCode(String code) {
    /** @throws NullPointerException for a null code */
    public KissCode {
        Objects.requireNonNull(code, "code");
    }

    /** RATE: the client must reduce its rate of queries to this server. */
    public boolean isRate() {
        return code.equals("RATE");
    }

    /** DENY or RSTR: the client must stop sending to this server. */
    public boolean isDenial() {
        return code.equals("DENY") || code.equals("RSTR");
    }

    @Override
    public String toString() {
        return code;
    }
}
