package dev.pintp.ntp;

import java.util.Objects;

/**
 * The reference identifier of a reply (RFC 5905 section 7.3): four ASCII characters at stratum 0 and 1 (a clock source
 * such as {@code GPS}, {@code PPS}, or {@code LOCL}), otherwise the IPv4 address (or IPv6 hash) of the server's own
 * upstream server.
 *
 * @param raw the 32-bit field as sent
 * @param text the field as it is best shown: the ASCII code at stratum 0/1, the dotted quad otherwise
 * @param local true when the reference is the server's own local clock, as chrony in {@code local} mode advertises it
 *     (a Pi Zero serving its RTC): {@code LOCL}, or chrony's 127.127.1.1
 */
public record ReferenceId(int raw, String text, boolean local) {
    /** @throws NullPointerException for a null text */
    public ReferenceId {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
