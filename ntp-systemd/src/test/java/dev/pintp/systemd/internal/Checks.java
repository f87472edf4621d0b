package dev.pintp.systemd.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.CheckDecision;
import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DropCounts;
import dev.pintp.ntp.LeapIndicator;
import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.ReferenceId;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncQuality;
import dev.pintp.ntp.Verdict;
import dev.pintp.ntp.VerdictReason;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** Hand-built check results and a scripted checker. */
final class Checks {
    static final NtpServer PRIMARY = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
    static final NtpServer FALLBACK = new NtpServer("0.debian.pool.ntp.org", 123, NtpServer.Role.FALLBACK);
    static final Instant T0 = Instant.parse("2026-11-25T05:00:00Z");

    private Checks() {
    }

    static SourceReport ok(NtpServer server, Duration offset) {
        InetSocketAddress a = new InetSocketAddress(server.role() == NtpServer.Role.PRIMARY ? "127.0.0.2" : "127.0.0.3",
                123);
        NtpSample s = new NtpSample(a, offset, Duration.ofMillis(1), 1, LeapIndicator.NONE, 4, 6, -20,
                new ReferenceId(0x4c4f434c, "LOCL", true), T0, Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1),
                Duration.ofMillis(2), T0, T0.plusMillis(1));
        QueryResult q = new QueryResult(a, Outcome.OK, Optional.of(s), List.of(s), List.of(), Optional.empty(),
                Duration.ZERO, 1, DropCounts.NONE, "");
        return new SourceReport(server, Optional.of(a), Outcome.OK, List.of(), Optional.of(q));
    }

    /** A valid answer of {@code server} that shows this clock to be {@code offset} off, beyond the 128 ms limit. */
    static SourceReport off(NtpServer server, Duration offset) {
        SourceReport r = ok(server, offset);
        return new SourceReport(server, r.address(), Outcome.OK, List.of(CheckDecision.OFFSET_TOO_LARGE), r.query(),
                "offset beyond the maximum");
    }

    /** The verdict's reason of a synced check resting on {@code r}. */
    static VerdictReason synced(SourceReport r) {
        return new VerdictReason.Synced(r.server(), r.address().orElseThrow(), r.sample().orElseThrow().offset());
    }

    static CheckResult primary(Instant at) {
        return new CheckResult(Verdict.PRIMARY_SYNCED, Optional.of(ok(PRIMARY, Duration.ofMillis(1))),
                List.of(ok(PRIMARY, Duration.ofMillis(1)), ok(FALLBACK, Duration.ofMillis(2))),
                synced(ok(PRIMARY, Duration.ofMillis(1))), SyncQuality.HIGH, at, Duration.ofMillis(5));
    }

    static CheckResult fallback(Instant at) {
        return new CheckResult(Verdict.FALLBACK_SYNCED, Optional.of(ok(FALLBACK, Duration.ofMillis(2))),
                List.of(lost(PRIMARY), ok(FALLBACK, Duration.ofMillis(2))), synced(ok(FALLBACK, Duration.ofMillis(2))),
                SyncQuality.MEDIUM, at, Duration.ofMillis(5));
    }

    static CheckResult none(Instant at) {
        return new CheckResult(Verdict.UNSYNCHRONIZED, Optional.empty(), List.of(lost(PRIMARY), lost(FALLBACK)),
                new VerdictReason.NoValidAnswer(2), SyncQuality.NONE, at, Duration.ofSeconds(1));
    }

    /** Unsynchronized: the primary answered validly, showing this clock +1.25 s off; the fallback timed out. */
    static CheckResult clockOff(Instant at) {
        SourceReport pi = off(PRIMARY, Duration.ofMillis(1250));
        return new CheckResult(Verdict.UNSYNCHRONIZED, Optional.empty(), List.of(pi, lost(FALLBACK)),
                new VerdictReason.ClockOff(PRIMARY, pi.address().orElseThrow(), Duration.ofMillis(1250),
                        Duration.ofMillis(128)), SyncQuality.NONE, at, Duration.ofMillis(5));
    }

    static SourceReport lost(NtpServer server) {
        return new SourceReport(server, Optional.empty(), Outcome.TIMEOUT, List.of(), Optional.empty());
    }

    /** A checker that answers from a queue; checks beyond it repeat the last answer. */
    static final class Scripted implements NtpChecker {
        private final Deque<CheckResult> queue = new ArrayDeque<>();
        private CheckResult last;
        volatile int checks; // read by tests on another thread than the daemon's

        Scripted then(CheckResult r) {
            queue.add(r);
            return this;
        }

        @Override
        public synchronized CheckResult check() {
            checks++;
            if (!queue.isEmpty()) {
                last = queue.poll();
            }
            return last;
        }

        @Override
        public BackoffState backoffState() {
            return BackoffState.empty();
        }
    }
}
