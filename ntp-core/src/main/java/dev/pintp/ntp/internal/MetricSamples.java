package dev.pintp.ntp.internal;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Which sample the per-server families ({@link MetricFamily#OFFSET} and the like, label {@code server} = the
 * configured host) show, for both exporters: one series per configured host, so that a pool name's changing
 * addresses do not make new series.
 */
public final class MetricSamples {
    private MetricSamples() {
    }

    /**
     * The sample shown for {@code host} after {@code result}: the selected source's when it is one of that host's
     * addresses, else the one of that host's samples with the smallest synchronization distance, else empty.
     */
    public static Optional<NtpSample> of(CheckResult result, String host) {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(host, "host");
        return result.selected().filter(s -> s.server().host().equals(host))
                .flatMap(SourceReport::sample)
                .or(() -> result.sources().stream()
                        .filter(r -> r.server().host().equals(host) && r.sample().isPresent())
                        .map(r -> r.sample().get())
                        .min(Comparator.comparing(NtpSample::synchronizationDistance)));
    }
}
