package dev.pintp.ntp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of querying one server address: never an exception, always one of these. Immutable.
 *
 * @param server the address queried
 * @param outcome what happened
 * @param best the valid sample with the smallest round-trip delay (the clock filter's choice); present iff
 *     {@code outcome == OK}
 * @param samples every valid sample, in the order measured
 * @param reasons every reason the query's answers were refused for, each once, in the order first seen: the
 *     {@link RefusalReason}s of refused answers and, when no answer was authentic, the authentication
 *     {@link DropReason}s (first, the forgery is the news); {@link RefusalReason#KISS_OF_DEATH} first for KISS;
 *     non-empty iff outcome is REJECTED or KISS
 * @param kissCode the Kiss-o'-Death code; present iff outcome is KISS
 * @param jitter root mean square of the valid samples' offset differences from the best sample's; zero with fewer
 *     than two samples
 * @param exchanges how many requests were sent
 * @param drops datagrams that were not answers to our requests and were ignored
 * @param detail a human-readable explanation (for example the ICMP error text), empty when there is nothing to add
 */
public record QueryResult(
        InetSocketAddress server,
        Outcome outcome,
        Optional<NtpSample> best,
        List<NtpSample> samples,
        List<RejectReason> reasons,
        Optional<KissCode> kissCode,
        Duration jitter,
        int exchanges,
        DropCounts drops,
        String detail) {

    /** @throws IllegalArgumentException when {@code best} or {@code kissCode} do not match the outcome */
    public QueryResult {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(best, "best");
        samples = List.copyOf(samples);
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(kissCode, "kissCode");
        Objects.requireNonNull(jitter, "jitter");
        Objects.requireNonNull(drops, "drops");
        Objects.requireNonNull(detail, "detail");
        if ((outcome == Outcome.OK) != best.isPresent()) {
            throw new IllegalArgumentException("best must be present exactly when the outcome is OK");
        }
        if ((outcome == Outcome.KISS) != kissCode.isPresent()) {
            throw new IllegalArgumentException("kissCode must be present exactly when the outcome is KISS");
        }
        if ((outcome == Outcome.REJECTED || outcome == Outcome.KISS) == reasons.isEmpty()) {
            throw new IllegalArgumentException("reasons must be given exactly when the outcome is REJECTED or KISS;"
                    + " outcome " + outcome + ", reasons " + reasons);
        }
        if (outcome == Outcome.KISS && reasons.get(0) != RefusalReason.KISS_OF_DEATH) {
            throw new IllegalArgumentException("a KISS outcome's first reason is KISS_OF_DEATH: " + reasons);
        }
        for (int i = 0; i < reasons.size(); i++) {
            if (reasons.get(i) instanceof CheckDecision || reasons.indexOf(reasons.get(i)) != i) {
                throw new IllegalArgumentException("reasons of the query's answers, each once: " + reasons);
            }
        }
    }

    /** The reason that decided the outcome: the first of {@link #reasons()}; empty when there is none. */
    public Optional<RejectReason> reason() {
        return reasons.isEmpty() ? Optional.empty() : Optional.of(reasons.get(0));
    }

    /**
     * True when the valid samples of this query agree within their error bounds: the intervals
     * {@code offset ± (delay / 2 + dispersion)} of all of them have a point in common, where {@code delay / 2 +
     * dispersion} is a sample's {@link NtpSample#synchronizationDistance()} less its {@link NtpSample#rootDistance()}
     * (the error of the measurement itself, without the server's own error, which all samples of one server share).
     * A burst whose samples disagree saw one of the two clocks jump during it, or answers from more than one clock.
     * True with fewer than two samples.
     */
    public boolean samplesAgree() {
        long low = Long.MIN_VALUE;
        long high = Long.MAX_VALUE;
        for (NtpSample s : samples) {
            long offset = dev.pintp.ntp.internal.Durations.saturatedNanos(s.offset());
            long bound = Math.max(0, dev.pintp.ntp.internal.Durations.saturatedNanos(
                    s.synchronizationDistance().minus(s.rootDistance())));
            low = Math.max(low, offset - bound);
            high = Math.min(high, offset + bound);
        }
        return low <= high;
    }
}
