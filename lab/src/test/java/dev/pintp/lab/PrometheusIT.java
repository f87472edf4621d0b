package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A real Prometheus server (Debian's {@code prometheus}, started by the test in the main Pi's network namespace:
 * {@link PrometheusServer}) scrapes the packaged job, run as the default install's resident daemon ({@code ntp-monitor install} with
 * {@code ListenAddress=} and {@code TextfilePath=}), on both of its outputs: the daemon's {@code /metrics} and the
 * textfile, served by {@link TextfileExporter} in the container where node_exporter's textfile collector would read
 * it. It evaluates the package's alerting rules as shipped and a copy whose every {@code for:} is 5 s. Through its
 * HTTP API: both targets up, the families scraped are exactly those docs/metrics.md lists for the job, with the
 * documented types; no alert while the Pi Zero serves; when the Pi Zero's cable is pulled, {@code NtpOnFallback}
 * goes pending under the shipped rules ({@code for: 1h}) and fires under the copy; both end when it is back.
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
@Execution(ExecutionMode.CONCURRENT)
class PrometheusIT {
    static final String METRICS = "127.0.0.1:9464";
    static final String EXPORTER = "127.0.0.1:9465";
    static final String TEXTFILE = "/var/lib/prometheus/node-exporter/ntp-monitor.prom";
    static final String EXPORTER_UNIT = "pintp-lab-textfile-exporter";
    static final String DAEMON_JOB = "ntp-monitor-daemon";
    static final String TEXTFILE_JOB = "ntp-monitor-textfile";
    static final String SHIPPED = "pintp";
    static final String SHORT = "pintp-short-for";
    /** Every wait for a state the next daemon cycles (Interval=5s) and scrapes (every 2 s) bring, on a loaded machine. */
    static final Duration SETTLE = Duration.ofSeconds(90);
    static final Path METRICS_DOC = Path.of(System.getProperty("lab.docs", "../docs")).resolve("metrics.md").toAbsolutePath();

    static Path deb;

    @BeforeAll
    static void canRun() {
        ScenariosIT.canRun();
        deb = PackagedPi.deb();
        for (String tool : new String[] {"prometheus", "curl"}) {
            if (Lab.run(Duration.ofSeconds(10), "sh", "-c", "command -v " + tool).exit() != 0) {
                Lab.loudSkip("no " + tool + " on this machine (scripts/install-test-deps installs prometheus)");
            }
        }
    }

    /** The families docs/metrics.md says the job exports ("both" or "job"), with their documented type. */
    static Map<String, String> documentedJobFamilies() throws IOException {
        Map<String, String> out = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `(ntp_[a-z_]+)` \\| ([a-z]+) \\|[^|]*\\| (both|job|embedded) \\|");
        for (String line : Files.readAllLines(METRICS_DOC)) {
            Matcher m = row.matcher(line);
            if (m.find() && !m.group(3).equals("embedded")) {
                out.put(m.group(1), m.group(2));
            }
        }
        assertTrue(out.containsKey("ntp_stable_verdict"), "no family table in " + METRICS_DOC + ": " + out);
        return out;
    }

    static String config() {
        return "[Decision]\nInterval=5s\n[Metrics]\nListenAddress=" + METRICS + "\nTextfilePath=" + TEXTFILE + "\n";
    }

    static String prometheusConfig() {
        return "global:\n"
                + "  scrape_interval: 2s\n"
                + "  scrape_timeout: 2s\n"
                + "  evaluation_interval: 1s\n"
                + "rule_files:\n"
                + "  - @DIR@/pintp-alerts.yml\n"
                + "  - @DIR@/pintp-alerts-short.yml\n"
                + "scrape_configs:\n"
                + "  - job_name: " + DAEMON_JOB + "\n"
                + "    static_configs:\n"
                + "      - targets: ['" + METRICS + "']\n"
                + "  - job_name: " + TEXTFILE_JOB + "\n"
                + "    static_configs:\n"
                + "      - targets: ['" + EXPORTER + "']\n";
    }

    /** The shipped rules with every {@code for:} set to 5 s and the group renamed, so both load side by side. */
    static String shortFor(String rules) {
        Matcher m = Pattern.compile("(?m)^(\\s+)for: \\S+$").matcher(rules);
        int n = 0;
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, m.group(1) + "for: 5s");
            n++;
        }
        m.appendTail(b);
        long declared = rules.lines().filter(l -> l.strip().startsWith("for:")).count();
        assertTrue(n > 0 && n == declared, n + " of " + declared + " for: lines rewritten");
        String renamed = b.toString().replace("\n  - name: " + SHIPPED + "\n", "\n  - name: " + SHORT + "\n");
        assertFalse(renamed.equals(b.toString()), "no group '" + SHIPPED + "' in the rules");
        return renamed;
    }

    @Test
    void prometheusScrapesThePackagedDaemonAndEvaluatesTheShippedRules() throws IOException {
        Map<String, String> documented = documentedJobFamilies();
        try (ProceduresIT.Pi pi = new ProceduresIT.Pi("prometheus")) {
            Lab lab = pi.lab;
            PackagedPi.install(lab, deb);
            pi.write(PackagedPi.CONFFILE, pi.read(PackagedPi.CONFFILE) + config());
            // the default install's resident daemon (install --daemon is deprecated: docs/systemd.md), started by
            // the timer's first run
            String site = lab.inMain("ntp-monitor", "install").ok().out();
            pi.log("ntp-monitor install:\n" + site.strip());
            assertTrue(Lab.await(SETTLE, () -> lab.inMain("systemctl", "is-active", "ntp-monitor-daemon.service").out()
                    .strip().equals("active")), site);
            String rules = pi.read(PackagedPi.RULES);
            lab.ctl("copy-in", Lab.JAR.toString(), "/root/ntp-lab.jar").ok();
            lab.inMain("systemd-run", "--unit=" + EXPORTER_UNIT, "java", "-cp", "/root/ntp-lab.jar",
                    TextfileExporter.class.getName(), EXPORTER, TEXTFILE).ok();
            try (PrometheusServer prom = new PrometheusServer(lab, "main", prometheusConfig(),
                    Map.of("pintp-alerts.yml", rules, "pintp-alerts-short.yml", shortFor(rules)))) {
                scrapedAsDocumented(pi, prom, documented);
                alertsFollowThePiZero(pi, prom);
            } finally {
                lab.inMain("systemctl", "stop", EXPORTER_UNIT);
            }
        }
    }

    /** Both targets up; the families of each are the documented ones with their documented types; no alert. */
    static void scrapedAsDocumented(ProceduresIT.Pi pi, PrometheusServer prom, Map<String, String> documented) {
        assertTrue(Lab.await(SETTLE, () -> targetHealth(prom).equals(Map.of(DAEMON_JOB, "up", TEXTFILE_JOB, "up"))),
                "targets: " + prom.api("targets") + "\n" + prom.log() + pi.journal());
        awaitValue(pi, prom, "ntp_stable_verdict{verdict=\"PRIMARY_SYNCED\"}", 1.0);
        // the job restarts the controller after writing the drop-in and its metrics may come first
        Lab.await(SETTLE, () -> pi.lab.controllerEnv().contains("CONSERVE_POWER=1\n"));
        pi.assertPowerSaving("the daemon installed from the package, Pi Zero available");
        // a failed run's family is documented too, but exists only after a failed run
        Set<String> expected = new TreeSet<>(documented.keySet());
        assertTrue(expected.remove("ntp_run_failed_timestamp_seconds"), "docs/metrics.md: " + documented);
        for (String job : List.of(DAEMON_JOB, TEXTFILE_JOB)) {
            // polled: after a scrape a loaded machine missed, the job's series are stale until the next one
            assertTrue(Lab.await(SETTLE, () -> families(prom, job).equals(expected)), job + ": the families scraped, "
                    + families(prom, job) + ", are not the ones docs/metrics.md lists, " + expected);
        }
        Map<String, Object> metadata = Json.object(prom.api("metadata"));
        for (String family : expected) {
            assertTrue(metadata.containsKey(family), "no metadata for " + family + ": " + metadata.keySet());
            for (Object m : Json.array(metadata.get(family))) {
                Map<String, Object> md = Json.object(m);
                assertEquals(documented.get(family), md.get("type"), family + ": " + md);
                assertFalse(((String) md.get("help")).isBlank(), family + " has no HELP");
            }
        }
        pi.log("Prometheus scrapes " + expected.size() + " families from each of /metrics and the textfile: " + expected);
        // at start, before the first scrape, NtpMonitorNotRunning's absent() may have held in the copy: wait it out
        assertTrue(Lab.await(SETTLE, () -> activeAlerts(prom).isEmpty()), "alerts with the Pi Zero serving: "
                + activeAlerts(prom));
    }

    /** Pi Zero's cable pulled: NtpOnFallback pending (shipped rules), firing (5 s copy); both end when it is back. */
    static void alertsFollowThePiZero(ProceduresIT.Pi pi, PrometheusServer prom) {
        Lab lab = pi.lab;
        lab.ctl("link", "pizero", "down").ok();
        pi.log("Pi Zero's cable pulled");
        awaitValue(pi, prom, "ntp_stable_verdict{verdict=\"FALLBACK_SYNCED\"}", 1.0);
        assertTrue(Lab.await(SETTLE, () -> prom.alertState(SHIPPED, "NtpOnFallback").equals("pending")),
                "shipped rules: NtpOnFallback " + prom.alertState(SHIPPED, "NtpOnFallback"));
        // each job's series: one alert pending under the shipped rule, one firing under the copy
        List<String> both = new ArrayList<>();
        for (String job : List.of(DAEMON_JOB, TEXTFILE_JOB)) {
            both.add("NtpOnFallback " + job + " warning firing");
            both.add("NtpOnFallback " + job + " warning pending");
        }
        // exactly these, polled: a scrape a loaded machine missed on both targets at once makes the absent() of
        // NtpMonitorNotRunning hold for a moment (pending) and the short copy's NtpOnFallback start its 5 s again
        Set<String> wanted = new TreeSet<>(both);
        assertTrue(Lab.await(SETTLE, () -> new TreeSet<>(activeAlerts(prom)).equals(wanted)
                && prom.alertState(SHORT, "NtpOnFallback").equals("firing")
                && prom.alertState(SHIPPED, "NtpOnFallback").equals("pending")),
                "alerts: " + activeAlerts(prom) + ", not exactly " + wanted + "; the 5 s copy's NtpOnFallback "
                        + prom.alertState(SHORT, "NtpOnFallback") + " (firing), the shipped rule's "
                        + prom.alertState(SHIPPED, "NtpOnFallback") + " (pending: it waits its hour)");
        List<String> active = activeAlerts(prom);
        pi.log("active alerts with the Pi Zero gone: " + active);
        awaitValue(pi, prom, "ntp_power_saving", 0.0);
        // the job restarts the controller after writing the drop-in and its metrics may come first
        Lab.await(SETTLE, () -> !pi.lab.controllerEnv().contains("CONSERVE_POWER"));
        pi.assertNoPowerSaving("the Pi Zero's cable pulled");

        lab.ctl("link", "pizero", "up").ok();
        pi.log("Pi Zero's cable back");
        assertTrue(Lab.await(SETTLE, () -> activeAlerts(prom).isEmpty()
                && prom.alertState(SHIPPED, "NtpOnFallback").equals("inactive")
                && prom.alertState(SHORT, "NtpOnFallback").equals("inactive")),
                "alerts after the Pi Zero came back: " + activeAlerts(prom) + "; NtpOnFallback "
                        + prom.alertState(SHIPPED, "NtpOnFallback") + " and " + prom.alertState(SHORT, "NtpOnFallback")
                        + " in the copy (both inactive)\n" + pi.journal());
        awaitValue(pi, prom, "ntp_stable_verdict{verdict=\"PRIMARY_SYNCED\"}", 1.0);
        awaitValue(pi, prom, "ntp_power_saving", 1.0);
        // the job restarts the controller after writing the drop-in and its metrics may come first
        Lab.await(SETTLE, () -> pi.lab.controllerEnv().contains("CONSERVE_POWER=1\n"));
        pi.assertPowerSaving("the Pi Zero back");
    }

    /** Waits until {@code promql} is {@code expected} for both jobs (a scrape a loaded machine missed drops a job). */
    static void awaitValue(ProceduresIT.Pi pi, PrometheusServer prom, String promql, double expected) {
        Map<String, Double> want = Map.of(DAEMON_JOB, expected, TEXTFILE_JOB, expected);
        assertTrue(Lab.await(SETTLE, () -> value(prom, promql).equals(want)),
                promql + " is " + value(prom, promql) + ", not " + want + "\n" + pi.journal());
    }

    /** The names of the {@code ntp_} series of {@code job} now. */
    static Set<String> families(PrometheusServer prom, String job) {
        return prom.query("group by (__name__) ({job=\"" + job + "\", __name__=~\"ntp_.+\"})").stream()
                .map(s -> s.labels().get("__name__")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** {@code /api/v1/targets}: each active target's job and health. */
    static Map<String, String> targetHealth(PrometheusServer prom) {
        Map<String, String> out = new TreeMap<>();
        for (Object t : Json.array(Json.object(prom.api("targets", "state", "active")).get("activeTargets"))) {
            Map<String, Object> target = Json.object(t);
            out.put((String) Json.object(target.get("labels")).get("job"), (String) target.get("health"));
        }
        return out;
    }

    /** An instant query's value by job. */
    static Map<String, Double> value(PrometheusServer prom, String promql) {
        Map<String, Double> out = new TreeMap<>();
        prom.query(promql).forEach(s -> out.put(s.labels().get("job"), s.value()));
        return out;
    }

    /** {@code /api/v1/alerts}: each pending or firing alert as "name job severity state". */
    static List<String> activeAlerts(PrometheusServer prom) {
        List<String> out = new ArrayList<>();
        for (Object a : Json.array(Json.object(prom.api("alerts")).get("alerts"))) {
            Map<String, Object> alert = Json.object(a);
            Map<String, Object> labels = Json.object(alert.get("labels"));
            out.add(labels.get("alertname") + " " + labels.get("job") + " " + labels.get("severity") + " "
                    + alert.get("state"));
        }
        return out;
    }
}
