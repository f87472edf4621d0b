package dev.pintp.ntp;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one check learned about one candidate source: one address of a configured server (a pool name gives several
 * candidates), or the server itself when it could not be resolved or was skipped.
 *
 * @param server the configured server
 * @param address the address queried; empty when the name did not resolve or the server was skipped
 * @param outcome the outcome for this source in this check; REJECTED also for an answer the check refused
 *     ({@link CheckDecision#FALSETICKER}, root distance); OK for every valid answer that was not refused, also one
 *     that shows this clock to be off ({@link CheckDecision#OFFSET_TOO_LARGE})
 * @param reasons every reason that applied, each once, the deciding one first: non-empty iff outcome is REJECTED,
 *     KISS or SKIPPED (TIMEOUT, UNREACHABLE and UNRESOLVED say it themselves, and have none); for SKIPPED
 *     {@link CheckDecision#BACKED_OFF} or {@link CheckDecision#DENIED}; for OK empty or only
 *     {@link CheckDecision#OFFSET_TOO_LARGE}
 * @param query the raw query result; empty when no query was made
 * @param detail a human-readable explanation, for a user rather than a program: why a name is unresolved, how long a
 *     server is backed off, by how much a falseticker disagrees, an ICMP error text, or the query's own
 *     {@link QueryResult#detail()}; never null, empty when there is nothing to add
 */
public record SourceReport(
        NtpServer server,
        Optional<InetSocketAddress> address,
        Outcome outcome,
        List<RejectReason> reasons,
        Optional<QueryResult> query,
        String detail) {

    /** Checks the invariants; see the record description. */
    public SourceReport {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(outcome, "outcome");
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(detail, "detail");
        boolean needsReason = outcome == Outcome.REJECTED || outcome == Outcome.KISS || outcome == Outcome.SKIPPED;
        if (needsReason == reasons.isEmpty() && outcome != Outcome.OK) {
            throw new IllegalArgumentException("reasons must be given exactly when the outcome is REJECTED, KISS or"
                    + " SKIPPED; outcome " + outcome + ", reasons " + reasons);
        }
        for (int i = 0; i < reasons.size(); i++) {
            RejectReason r = reasons.get(i);
            if (reasons.indexOf(r) != i) {
                throw new IllegalArgumentException("each reason once: " + reasons);
            }
            boolean fits = switch (outcome) {
                case OK -> r == CheckDecision.OFFSET_TOO_LARGE;
                case SKIPPED -> r == CheckDecision.BACKED_OFF || r == CheckDecision.DENIED;
                default -> true;
            };
            if (!fits) {
                throw new IllegalArgumentException("reason " + r + " does not fit outcome " + outcome);
            }
        }
        if (outcome == Outcome.OK && !reasons.isEmpty() && (query.isEmpty() || query.get().best().isEmpty())) {
            throw new IllegalArgumentException("OFFSET_TOO_LARGE needs a sample");
        }
    }

    /**
     * A report whose {@link #detail()} is the query's {@link QueryResult#detail()}, or empty without a query: the
     * constructor of the record's first five components, kept for code written before {@code detail} existed.
     */
    public SourceReport(NtpServer server, Optional<InetSocketAddress> address, Outcome outcome,
            List<RejectReason> reasons, Optional<QueryResult> query) {
        this(server, address, outcome, reasons, query,
                Objects.requireNonNull(query, "query").isPresent() ? query.get().detail() : "");
    }

    /** The reason that decided the outcome: the first of {@link #reasons()}; empty when there is none. */
    public Optional<RejectReason> reason() {
        return reasons.isEmpty() ? Optional.empty() : Optional.of(reasons.get(0));
    }

    /** True when {@code reason} is among {@link #reasons()}. */
    public boolean hasReason(RejectReason reason) {
        return reasons.contains(reason);
    }

    /** The best sample of the query, if one was measured (also for a source rejected by the check). */
    public Optional<NtpSample> sample() {
        return query.isPresent() ? query.get().best() : Optional.empty();
    }

    /**
     * True when this source answered validly and the check did not refuse it: a sample a synced verdict can rest on.
     * False for a valid answer that shows this clock to be off ({@link CheckDecision#OFFSET_TOO_LARGE}).
     */
    public boolean isUsable() {
        return outcome == Outcome.OK && reasons.isEmpty();
    }

    /** True when this source gave a valid answer that the check did not refuse, whatever it says of this clock. */
    public boolean answeredValidly() {
        return outcome == Outcome.OK;
    }
}
