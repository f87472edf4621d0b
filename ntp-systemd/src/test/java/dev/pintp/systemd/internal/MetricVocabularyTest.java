package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DriftHistory;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpMetrics;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncQuality;
import dev.pintp.ntp.SyncState;
import dev.pintp.ntp.Verdict;
import dev.pintp.ntp.internal.MetricFamily;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded monitor (NtpMetrics through Micrometer's Prometheus registry) and the job (PrometheusText) speak one
 * metric vocabulary: every family both export has the same name, type, help, label names, series and values, and
 * each exports exactly the families MetricFamily says it does. docs/metrics.md lists the same families.
 */
class MetricVocabularyTest {
    static final NtpConfig CONFIG = NtpConfig.custom().primaryHosts("192.168.4.2").fallbackHosts("0.debian.pool.ntp.org")
            .driftAlertOffset(Duration.ofMillis(3)).build();

    CheckResult last;
    SyncState sync = SyncState.initial();
    DriftHistory drift = DriftHistory.empty();

    /** One Prometheus family as parsed from the text: its TYPE, HELP and samples (name with labels to value). */
    record Family(String type, String help, Map<String, Double> samples) {
    }

    @BeforeEach
    void checks() {
        // six checks a minute apart, the primary drifting 1 ms a minute (-16.7 ppm) to 5 ms: a drift estimate and a
        // raised offset alert (above 3 ms), so that every family has a finite value
        for (int i = 0; i < 6; i++) {
            Instant at = Checks.T0.plus(Duration.ofMinutes(i));
            SourceReport primary = Checks.ok(Checks.PRIMARY, Duration.ofMillis(i));
            last = new CheckResult(Verdict.PRIMARY_SYNCED, Optional.of(primary),
                    List.of(primary, Checks.ok(Checks.FALLBACK, Duration.ofMillis(2))), Checks.synced(primary),
                    SyncQuality.HIGH, at, Duration.ofMillis(5));
            sync = sync.next(last, at, CONFIG);
            drift = drift.next(last, CONFIG);
        }
        assertTrue(drift.estimate().isPresent() && drift.offsetAlert(), "the fixture gives a drift and an alert");
    }

    String micrometer() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        NtpMetrics metrics = new NtpMetrics(CONFIG);
        metrics.bindTo(registry);
        metrics.record(last);
        metrics.recordStable(sync.verdict(), sync.quality());
        metrics.recordDrift(drift);
        return registry.scrape();
    }

    String job() {
        return PrometheusText.render(last, sync, drift, true);
    }

    @Test
    void familiesBothExportAreTheSameFamilyWithTheSameSeriesAndValues() {
        Map<String, Family> embedded = parse(micrometer());
        Map<String, Family> job = parse(job());
        List<MetricFamily> both = List.of(MetricFamily.values()).stream()
                .filter(f -> f.exporter() == MetricFamily.Exporter.BOTH).toList();
        assertTrue(both.size() >= 10, "the shared vocabulary: " + both);
        for (MetricFamily f : both) {
            Family e = embedded.get(f.prometheusName());
            Family j = job.get(f.prometheusName());
            assertTrue(e != null, f.prometheusName() + " missing from Micrometer's scrape:\n" + micrometer());
            assertTrue(j != null, f.prometheusName() + " missing from the job's text:\n" + job());
            assertEquals(e.type(), j.type(), f + " type");
            assertEquals(e.help(), j.help(), f + " help");
            assertEquals(f.type().word(), j.type(), f + " type as in the vocabulary");
            assertEquals(e.samples().keySet(), j.samples().keySet(), f + " series");
            for (String series : e.samples().keySet()) {
                assertEquals(e.samples().get(series), j.samples().get(series), series + " value");
            }
            for (String series : j.samples().keySet()) {
                assertEquals(Set.copyOf(f.labels()), labelNames(series), series + " labels as in the vocabulary");
            }
        }
    }

    @Test
    void eachExporterExportsExactlyItsFamilies() {
        assertEquals(expected(MetricFamily.Exporter.EMBEDDED), parse(micrometer()).keySet(), "Micrometer's families");
        Set<String> job = expected(MetricFamily.Exporter.JOB);
        job.remove(MetricFamily.RUN_FAILED_TIMESTAMP.prometheusName()); // only after a failed run, tested below
        assertEquals(job, parse(job()).keySet(), "the job's families");
    }

    @Test
    void theFailedRunsTextUsesTheVocabularyToo() {
        Map<String, Family> failed = parse(PrometheusText.renderFailed(Checks.T0, false));
        assertEquals(Set.of(MetricFamily.POWER_SAVING.prometheusName(),
                MetricFamily.RUN_FAILED_TIMESTAMP.prometheusName()), failed.keySet());
        assertEquals(MetricFamily.POWER_SAVING.help(), failed.get("ntp_power_saving").help());
    }

    @Test
    void prometheusNamesAreWhatMicrometersPrometheusRegistryMakes() {
        // each family alone, as the Micrometer meter of its type, through the registry: the family it renders is
        // the vocabulary's Prometheus name (also for the families only the job exports)
        for (MetricFamily f : MetricFamily.values()) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            switch (f.type()) {
                case GAUGE -> Gauge.builder(f.meterName(), () -> 1).baseUnit(f.baseUnit().orElse(null))
                        .description(f.help()).register(registry);
                case COUNTER -> Counter.builder(f.meterName()).baseUnit(f.baseUnit().orElse(null))
                        .description(f.help()).register(registry).increment();
                case SUMMARY -> Timer.builder(f.meterName()).description(f.help()).register(registry)
                        .record(Duration.ofMillis(1));
            }
            Map<String, Family> rendered = parse(registry.scrape());
            Family family = rendered.get(f.prometheusName());
            assertTrue(family != null, f + " rendered as " + rendered.keySet());
            assertEquals(f.type().word(), family.type(), f.name());
            assertEquals(f.help(), family.help(), f.name());
        }
    }

    @Test
    void theDocumentedTableListsTheVocabulary() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "metrics.md"));
        Pattern row = Pattern.compile("^\\| `(ntp_[a-z_]+)` \\| (gauge|counter|summary) \\| ([^|]*)\\| ([^|]*)\\|",
                Pattern.MULTILINE);
        Map<String, String> documented = new TreeMap<>();
        Matcher m = row.matcher(doc);
        while (m.find()) {
            String labels = m.group(3).trim().replace("`", "");
            documented.put(m.group(1), m.group(2) + " " + labels + " " + m.group(4).trim());
        }
        Map<String, String> vocabulary = new TreeMap<>();
        for (MetricFamily f : MetricFamily.values()) {
            String who = switch (f.exporter()) {
                case BOTH -> "both";
                case EMBEDDED -> "embedded";
                case JOB -> "job";
            };
            vocabulary.put(f.prometheusName(), f.type().word() + " " + String.join(", ", f.labels()) + " " + who);
        }
        assertEquals(vocabulary.toString().replace("  ", " "), documented.toString().replace("  ", " "),
                "docs/metrics.md's table");
    }

    private static Set<String> expected(MetricFamily.Exporter exporter) {
        Set<String> names = new TreeSet<>();
        for (MetricFamily f : MetricFamily.values()) {
            if (f.exporter() == exporter || f.exporter() == MetricFamily.Exporter.BOTH) {
                names.add(f.prometheusName());
                if (f.type() == MetricFamily.Type.SUMMARY) {
                    names.add(f.prometheusName() + "_max"); // Micrometer's timer also reports its maximum
                }
            }
        }
        return names;
    }

    private static Set<String> labelNames(String series) {
        int brace = series.indexOf('{');
        if (brace < 0) {
            return Set.of();
        }
        return List.of(series.substring(brace + 1, series.length() - 1).split(",")).stream()
                .map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toSet());
    }

    /** Families by name; samples keyed by name and sorted labels (label values have no comma or brace here). */
    static Map<String, Family> parse(String text) {
        Map<String, String> types = new TreeMap<>();
        Map<String, String> helps = new TreeMap<>();
        Map<String, Map<String, Double>> samples = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] p = line.split(" ", 4);
                helps.put(p[2], p.length > 3 ? p[3] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                types.put(p[2], p[3]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                String series = line.substring(0, space);
                String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
                String family = types.containsKey(name) ? name : name.replaceAll("_(count|sum)$", "");
                assertTrue(types.containsKey(family), "a sample before its TYPE: " + line);
                if (series.contains("{")) {
                    List<String> labels = new ArrayList<>(List.of(series.substring(series.indexOf('{') + 1,
                            series.length() - 1).split(",")));
                    labels.sort(null);
                    series = name + "{" + String.join(",", labels) + "}";
                }
                samples.computeIfAbsent(family, k -> new TreeMap<>()).put(series,
                        Double.parseDouble(line.substring(space + 1)));
            }
        }
        Map<String, Family> families = new TreeMap<>();
        for (String name : types.keySet()) {
            families.put(name, new Family(types.get(name), helps.get(name), samples.getOrDefault(name, Map.of())));
        }
        return families;
    }
}
