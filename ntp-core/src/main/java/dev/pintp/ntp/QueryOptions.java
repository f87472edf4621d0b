package dev.pintp.ntp;

import java.time.Duration;
import java.util.Objects;

/**
 * How to query one server address.
 *
 * @param samples how many exchanges to make (1 or more); the sample with the smallest delay is kept (the clock
 *     filter). A LAN server may get a short burst; a public pool server gets 1, to respect pool etiquette.
 * @param timeout how long each exchange waits for a valid reply before the next request is sent (or the query
 *     ends), positive; an answer to an earlier request of the same query still counts while a later one waits
 * @param maxRootDistance replies whose root distance (root delay / 2 + root dispersion) exceeds this are rejected;
 *     positive; 5 s is systemd-timesyncd's default {@code RootDistanceMaxSec}
 * @param auth how the answers are authenticated; {@link NtpAuth#NONE} by default
 */
public record QueryOptions(int samples, Duration timeout, Duration maxRootDistance, NtpAuth auth) {
    /** 1 sample, 1 s timeout, 5 s maximum root distance, no authentication. */
    public static final QueryOptions DEFAULTS = new QueryOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** @throws IllegalArgumentException for fewer than 1 sample or a timeout or distance that is not positive */
    public QueryOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(maxRootDistance, "maxRootDistance");
        Objects.requireNonNull(auth, "auth");
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, was " + samples);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (maxRootDistance.isNegative() || maxRootDistance.isZero()) {
            throw new IllegalArgumentException("maxRootDistance must be positive, was " + maxRootDistance);
        }
    }

    /** Options without authentication ({@link NtpAuth#NONE}). */
    public QueryOptions(int samples, Duration timeout, Duration maxRootDistance) {
        this(samples, timeout, maxRootDistance, NtpAuth.NONE);
    }

    /** These options with another sample count. */
    public QueryOptions withSamples(int samples) {
        return new QueryOptions(samples, timeout, maxRootDistance, auth);
    }

    /** These options with another authentication. */
    public QueryOptions withAuth(NtpAuth auth) {
        return new QueryOptions(samples, timeout, maxRootDistance, auth);
    }
}
