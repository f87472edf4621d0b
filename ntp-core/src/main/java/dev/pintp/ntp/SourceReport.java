package dev.pintp.ntp;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What one check learned about one candidate source: one address of a configured server (a pool name gives several
 * candidates), or the server itself when it could not be resolved or was skipped.
 *
 * @param server the configured server
 * @param address the address queried; empty when the name did not resolve or the server was skipped
 * @param outcome the outcome for this source in this check; can be REJECTED even when the query succeeded (offset
 *     too large, falseticker)
 * @param reason why the source is not usable; present iff outcome is REJECTED, KISS or SKIPPED (TIMEOUT, UNREACHABLE
 *     and UNRESOLVED say it themselves)
 * @param query the raw query result; empty when no query was made
 * @param detail a human-readable explanation, for a user rather than a program: why a name is unresolved, how long a
 *     server is backed off, by how much a falseticker disagrees, an ICMP error text, or the query's own
 *     {@link QueryResult#detail()}; never null, empty when there is nothing to add
 */
public record SourceReport(
        NtpServer server,
        Optional<InetSocketAddress> address,
        Outcome outcome,
        Optional<RejectReason> reason,
        Optional<QueryResult> query,
        String detail) {

    /** Checks the invariants; see the record description. */
    public SourceReport {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(detail, "detail");
        boolean needsReason = outcome == Outcome.REJECTED || outcome == Outcome.KISS || outcome == Outcome.SKIPPED;
        if (needsReason != reason.isPresent()) {
            throw new IllegalArgumentException("reason must be present exactly when the outcome is REJECTED, KISS or"
                    + " SKIPPED; outcome " + outcome + ", reason " + reason);
        }
    }

    /**
     * A report whose {@link #detail()} is the query's {@link QueryResult#detail()}, or empty without a query: the
     * constructor of the record's first five components, kept for code written before {@code detail} existed.
     */
    public SourceReport(NtpServer server, Optional<InetSocketAddress> address, Outcome outcome,
            Optional<RejectReason> reason, Optional<QueryResult> query) {
        this(server, address, outcome, reason, query,
                Objects.requireNonNull(query, "query").isPresent() ? query.get().detail() : "");
    }

    /** This report with another detail text. */
    public SourceReport withDetail(String detail) {
        return new SourceReport(server, address, outcome, reason, query, detail);
    }

    /** The best sample of the query, if one was measured (also for a source rejected by the check). */
    public Optional<NtpSample> sample() {
        return query.isPresent() ? query.get().best() : Optional.empty();
    }

    /** True when this source was usable in this check. */
    public boolean isUsable() {
        return outcome == Outcome.OK;
    }
}
