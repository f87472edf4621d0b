package dev.pintp.ntp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Hand-built values for tests: addresses in the documentation ranges, samples, query results. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-11-25T06:00:00Z");

    private Fixtures() {
    }

    static InetAddress ip(String literal) {
        try {
            String[] p = literal.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) Integer.parseInt(p[i]);
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress addr(String literal) {
        return new InetSocketAddress(ip(literal), 123);
    }

    static NtpSample sample(InetSocketAddress server, Duration offset, Duration rootDistance, Duration syncDistance) {
        return new NtpSample(server, offset, Duration.ofMillis(2), 2, LeapIndicator.NONE, 4, 6, -20,
                new ReferenceId(0x7f7f0101, "127.127.1.1", false), T0.minusSeconds(30), rootDistance.multipliedBy(2),
                Duration.ZERO, rootDistance, syncDistance, T0, T0.plusMillis(2));
    }

    static QueryResult ok(InetSocketAddress server, Duration offset) {
        return ok(server, offset, Duration.ofMillis(10), Duration.ofMillis(12));
    }

    static QueryResult ok(InetSocketAddress server, Duration offset, Duration rootDistance, Duration syncDistance) {
        NtpSample s = sample(server, offset, rootDistance, syncDistance);
        return new QueryResult(server, Outcome.OK, Optional.of(s), List.of(s), List.of(), Optional.empty(),
                Duration.ZERO, 1, DropCounts.NONE, "");
    }

    /** A decided check in which the first primary of {@code config} answered with {@code offset} at {@code at}. */
    static CheckResult primaryCheck(NtpConfig config, Instant at, Duration offset) {
        NtpServer p = config.primaries().get(0);
        InetSocketAddress a = addr("192.0.2.2");
        SourceReport r = new SourceReport(p, Optional.of(a), Outcome.OK, List.of(),
                Optional.of(ok(a, offset, Duration.ZERO, Duration.ofMillis(1))));
        return dev.pintp.ntp.internal.SourceSelector.decide(List.of(r), config, at, Duration.ofMillis(3));
    }

    /** A decided check in which nothing answered. */
    static CheckResult deadCheck(NtpConfig config, Instant at) {
        NtpServer p = config.primaries().get(0);
        SourceReport r = new SourceReport(p, Optional.of(addr("192.0.2.2")), Outcome.TIMEOUT, List.of(),
                Optional.empty());
        return dev.pintp.ntp.internal.SourceSelector.decide(List.of(r), config, at, Duration.ofMillis(3));
    }

    static QueryResult timeout(InetSocketAddress server) {
        return new QueryResult(server, Outcome.TIMEOUT, Optional.empty(), List.of(), List.of(),
                Optional.empty(), Duration.ZERO, 1, DropCounts.NONE, "");
    }

    static QueryResult kiss(InetSocketAddress server, String code) {
        return new QueryResult(server, Outcome.KISS, Optional.empty(), List.of(),
                List.of(RefusalReason.KISS_OF_DEATH), Optional.of(new KissCode(code)), Duration.ZERO, 1,
                DropCounts.NONE, "");
    }

    static QueryResult rejected(InetSocketAddress server, RejectReason reason) {
        return new QueryResult(server, Outcome.REJECTED, Optional.empty(), List.of(), List.of(reason),
                Optional.empty(), Duration.ZERO, 1, DropCounts.NONE, "");
    }
}
