package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pintp.ntp.testkit.Ci;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus' own checker on what pintp ships: {@code promtool check metrics} on the textfile and on a scrape of
 * {@code /metrics} of the real daemon ({@code java -jar target/ntp-systemd.jar daemon}, a loopback primary, a
 * stand-in systemctl, everything under a temporary root), and {@code promtool check rules} / {@code test rules} on
 * the alerting rules (src/main/dist/prometheus). Without promtool (Debian's {@code prometheus} package,
 * scripts/install-test-deps) the tests are skipped, saying so, except under CI, where they fail.
 */
@Tag("system")
class PromtoolSystemTest {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Path RULES = Path.of("src/main/dist/prometheus/pintp-alerts.yml");
    static final Path RULE_TESTS = Path.of("src/test/prometheus/pintp-alerts.test.yml");
    // generous for a loaded 2-core machine: every wait ends at its event, this only bounds a broken run
    static final Duration SCALE = Duration.ofSeconds(60);

    @TempDir
    Path root;

    @BeforeAll
    static void promtool() {
        if (!Files.isExecutable(PROMTOOL)) {
            String why = "## PROMTOOL TESTS SKIPPED: " + PROMTOOL + " missing (Debian package prometheus, "
                    + "scripts/install-test-deps)";
            System.err.println(why);
            if (Ci.active()) {
                fail(why + ", and under CI they must run");
            }
            Assumptions.abort(why);
        }
    }

    record Result(int code, String output) {
    }

    static Result promtool(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PROMTOOL.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(SCALE.toSeconds(), TimeUnit.SECONDS), "promtool ended");
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    static void assertClean(String what, String metrics) throws Exception {
        Result r = promtool(metrics, "check", "metrics");
        assertEquals(0, r.code(), what + ": promtool check metrics said\n" + r.output() + "\non\n" + metrics);
        assertEquals("", r.output().strip(), what + ": no lint problem");
    }

    @Test
    void promtoolFindsAProblemInAMisnamedFamily() throws Exception {
        // the check below is only worth something if promtool complains about what the vocabulary avoids
        Result r = promtool("# TYPE ntp_queries counter\nntp_queries 1\n", "check", "metrics");
        assertTrue(r.code() != 0 && r.output().contains("_total"), r.output());
    }

    @Test
    void theDaemonsTextfileAndMetricsScrapePassPromtool() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (SntpTestServer pi = SntpTestServer.start()) {
            pi.localClock(1);
            Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
            Files.createDirectories(conf.getParent());
            Files.writeString(conf, "[Servers]\nPrimary=127.0.0.1:" + pi.port() + "\nFallback=\nTimeout=300ms\n"
                    + "PrimarySamples=2\n[Metrics]\nTextfilePath=/var/lib/node_exporter/ntp-monitor.prom\n"
                    + "ListenAddress=127.0.0.1:" + port + "\n");
            Path systemctl = root.resolve("systemctl");
            Files.writeString(systemctl, "#!/bin/sh\nexit 0\n");
            assertTrue(systemctl.toFile().setExecutable(true));
            Path log = root.resolve("daemon.log");
            Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", System.getProperty("ntpSystemdJar", "target/ntp-systemd.jar"), "daemon",
                    "--root", root.toString(), "--systemctl", systemctl.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String scrape = waitForScrape(port, daemon, log);
                assertTrue(scrape.contains("\nntp_stable_verdict{verdict=\"PRIMARY_SYNCED\"} 1\n"), scrape);
                assertClean("/metrics", scrape);
                Path textfile = root.resolve("var/lib/node_exporter/ntp-monitor.prom");
                long deadline = System.nanoTime() + SCALE.toNanos();
                while (!Files.exists(textfile) && System.nanoTime() < deadline) {
                    Thread.sleep(50); // written right after /metrics is updated, by another process
                }
                assertTrue(Files.exists(textfile), "the textfile is written in the same cycle");
                assertClean("the textfile", Files.readString(textfile));
            } finally {
                daemon.destroy();
                if (!daemon.waitFor(SCALE.toSeconds(), TimeUnit.SECONDS)) {
                    daemon.destroyForcibly().waitFor();
                }
            }
        }
    }

    @Test
    void aFailedRunsTextPassesPromtool() throws Exception {
        assertClean("after a failed run", PrometheusText.renderFailed(Checks.T0, false));
        assertClean("a check with no sample", PrometheusText.render(Checks.none(Checks.T0),
                dev.pintp.ntp.SyncState.initial(), dev.pintp.ntp.DriftHistory.empty(), false));
    }

    @Test
    void theAlertingRulesAreValidAndPassTheirTests() throws Exception {
        Result check = promtool(null, "check", "rules", RULES.toString());
        assertEquals(0, check.code(), check.output());
        assertTrue(check.output().contains("SUCCESS: 5 rules found"), check.output());
        Result test = promtool(null, "test", "rules", RULE_TESTS.toString());
        assertEquals(0, test.code(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
    }

    /** The first scrape that reports a check; fails with the daemon's log if it exits or takes too long. */
    private static String waitForScrape(int port, Process daemon, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + SCALE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                fail("the daemon exited with " + daemon.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("ntp_last_check_timestamp_seconds ")) {
                    return r.body();
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100); // polling an HTTP endpoint: there is no event to wait on from another process
        }
        fail("no check on /metrics within " + SCALE + ":\n" + Files.readString(log));
        return null;
    }
}
