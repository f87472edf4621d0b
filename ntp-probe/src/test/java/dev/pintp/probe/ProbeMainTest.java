package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.testkit.SntpTestServer;
import dev.pintp.ntp.testkit.TestTimeouts;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The probe driven in-process through the real checker and SNTP client against in-process servers on loopback. */
class ProbeMainTest {
    /**
     * Timeouts that a live server must beat, scaled for a loaded machine ({@link TestTimeouts}); the dead servers
     * beside them cost the test one such timeout.
     */
    private static final String T200 = TestTimeouts.arg(Duration.ofMillis(200));
    private static final String T300 = TestTimeouts.arg(Duration.ofMillis(300));

    private final List<SntpTestServer> servers = new ArrayList<>();
    private final ProbeHarness probe = new ProbeHarness();

    @AfterEach
    void stopServers() {
        servers.forEach(SntpTestServer::close);
    }

    private SntpTestServer server() {
        SntpTestServer s = SntpTestServer.start();
        servers.add(s);
        return s;
    }

    private static String at(SntpTestServer s) {
        return "127.0.0.1:" + s.port();
    }

    /** A loopback port with nothing listening: the kernel answers with ICMP port unreachable. */
    private static int closedPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> sources(Map<String, Object> json) {
        return (List<Map<String, Object>>) json.get("sources");
    }

    private static double seconds(Object n) {
        return ((BigDecimal) n).doubleValue();
    }

    // ---- verdicts, output modes and exit codes ----

    @Test
    void primaryServerInSyncPrintsTheTableAndExitsZero() {
        SntpTestServer s = server().offset(Duration.ofMillis(25));
        ProbeHarness.Run r = probe.run(at(s));
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("SERVER +ADDRESS +ROLE +STATUS +STRATUM +OFFSET/s +DELAY/s +ROOTDIST/s"),
                lines[0]);
        assertTrue(lines[1].matches("127\\.0\\.0\\.1 +127\\.0\\.0\\.1:" + s.port()
                + " +primary +ok +2 +[+-]\\d\\.\\d{6} +\\d\\.\\d{6} +0\\.025\\d{3}"), lines[1]);
        double[] row = Offsets.numbers(" ok +2 +" + Offsets.SECONDS + " +" + Offsets.SECONDS + " ", lines[1]);
        Offsets.assertOffset(0.025, row[0], row[1], r.out());
        assertTrue(r.out().contains("Verdict: PRIMARY_SYNCED via 127.0.0.1 (127.0.0.1:" + s.port() + "), offset "),
                r.out());
        assertEquals(row[0], Offsets.numbers("\nVerdict: .*, offset " + Offsets.SECONDS + " s", r.out())[0],
                "the verdict's offset is the selected sample's");
    }

    @Test
    void onlyAFallbackInSyncExitsOne() {
        SntpTestServer dead = server().drop(true);
        SntpTestServer pool = server();
        ProbeHarness.Run r = probe.run("--timeout", T200, "--primary", at(dead), "--fallback", at(pool));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Verdict: FALLBACK_SYNCED via 127.0.0.1 (127.0.0.1:" + pool.port() + ")"),
                r.out());
        assertTrue(Pattern.compile("127\\.0\\.0\\.1:" + dead.port() + " +primary +timeout ").matcher(r.out()).find(),
                r.out());
    }

    @Test
    void noUsableSourceExitsTwo() {
        SntpTestServer unsynced = server().leap(3);
        ProbeHarness.Run r = probe.run(at(unsynced));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("rejected (unsynchronized)"), r.out());
        assertTrue(r.out().contains("Verdict: UNSYNCHRONIZED: the only source gave no valid answer\n"), r.out());
    }

    @Test
    void aValidAnswerShowingThisClockOffIsOkAndTheVerdictSaysHowFarOffThisClockIs() {
        SntpTestServer pi = server().offset(Duration.ofMillis(1250));
        String off = "this clock is ([+-]\\d+\\.\\d{3}) s off against 127\\.0\\.0\\.1 \\(limit 0\\.128 s\\)";

        ProbeHarness.Run text = probe.run(at(pi));
        assertEquals(2, text.code(), text.out() + text.err());
        double[] row = Offsets.numbers(" primary +ok +2 +" + Offsets.SECONDS + " +" + Offsets.SECONDS + " ",
                text.out());
        Offsets.assertOffset(1.25, row[0], row[1], text.out());
        double said = Offsets.numbers("\nVerdict: UNSYNCHRONIZED: " + off + "\n", text.out())[0];
        assertEquals(row[0], said, 0.0005 + 1e-9, text.out());
        assertFalse(text.out().contains("rejected"), text.out());

        ProbeHarness.Run json = probe.run("--json", at(pi));
        assertEquals(2, json.code(), json.out() + json.err());
        Map<String, Object> j = Json.object(json.out());
        assertEquals("UNSYNCHRONIZED", j.get("verdict"));
        assertEquals(Json.NULL, j.get("selected"));
        Map<String, Object> src = sources(j).get(0);
        assertEquals("ok", src.get("status"));
        assertEquals(Json.NULL, src.get("reason"), "nothing is wrong with the source");
        assertEquals(List.of("offset-too-large"), src.get("reasons"));
        Offsets.assertOffset(1.25, seconds(src.get("offsetSeconds")), seconds(src.get("delaySeconds")), json.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> why = (Map<String, Object>) j.get("verdictReason");
        assertEquals(List.of("kind", "message", "host", "address", "port", "offsetSeconds", "limitSeconds"),
                List.copyOf(why.keySet()));
        assertEquals("clock-off", why.get("kind"));
        assertEquals("127.0.0.1", why.get("host"));
        assertEquals("127.0.0.1", why.get("address"));
        assertEquals(new BigDecimal(pi.port()), why.get("port"));
        assertEquals(src.get("offsetSeconds"), why.get("offsetSeconds"), "the source's offset, exactly");
        assertEquals(new BigDecimal("0.128"), why.get("limitSeconds"));
        double inMessage = Offsets.numbers("^" + off + "$", (String) why.get("message"))[0];
        assertEquals(seconds(src.get("offsetSeconds")), inMessage, 0.0005 + 1e-9, json.out());

        ProbeHarness.Run nagios = probe.run("--nagios", at(pi));
        assertEquals(2, nagios.code(), nagios.out() + nagios.err());
        double[] n = Offsets.numbers("^NTP CRITICAL: Offset " + Offsets.SECONDS + " secs, " + off + "\\|offset="
                + Offsets.SECONDS + "s;;; delay=" + Offsets.SECONDS + "s;;;0; ", nagios.out());
        Offsets.assertOffset(1.25, n[0], n[3], nagios.out());
        assertEquals(n[0], n[2], 0, "the same offset in text and performance data");
        assertEquals(n[0], n[1], 0.0005 + 1e-6, nagios.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--json", "--nagios"})
    void everyOutputModeGivesTheSameExitCodes(String mode) {
        SntpTestServer good = server();
        SntpTestServer dead = server().drop(true);
        SntpTestServer off = server().offset(Duration.ofMillis(60));
        List<String> m = mode.isEmpty() ? List.of() : List.of(mode);
        assertEquals(0, probe.run(args(m, at(good))).code());
        assertEquals(1, probe.run(args(m, "--timeout", T200, at(dead), "--fallback", at(good))).code());
        assertEquals(2, probe.run(args(m, "--timeout", T200, at(dead))).code());
        assertEquals(0, probe.run(args(m, "-w", "0.1", "-c", "0.2", at(off))).code());
        assertEquals(1, probe.run(args(m, "-w", "0.01", "-c", "0.2", at(off))).code());
        assertEquals(2, probe.run(args(m, "-w", "0.01", "-c", "0.02", at(off))).code());
        assertEquals(3, probe.run(args(m, "--samples", "0", at(good))).code());
    }

    private static String[] args(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all.toArray(new String[0]);
    }

    @Test
    void jsonHasExactlyTheDocumentedShapeWithTimesInSeconds() {
        SntpTestServer s = server().offset(Duration.ofMillis(2500)).stratum(1).referenceId("GPS")
                .rootDelay(Duration.ofMillis(4)).rootDispersion(Duration.ofMillis(7));
        long start = System.nanoTime();
        ProbeHarness.Run r = probe.run("--json", "--samples", "3", "--max-offset", "3s", at(s));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("}\n") && r.out().indexOf('\n') == r.out().length() - 1, "one line");
        Map<String, Object> json = Json.object(r.out());
        assertEquals(List.of("verdict", "verdictReason", "selected", "sources"), List.copyOf(json.keySet()));
        assertEquals("PRIMARY_SYNCED", json.get("verdict"));
        @SuppressWarnings("unchecked")
        Map<String, Object> why = (Map<String, Object>) json.get("verdictReason");
        assertEquals(List.of("kind", "message", "host", "address", "port", "offsetSeconds"),
                List.copyOf(why.keySet()));
        assertEquals("synced", why.get("kind"));
        assertEquals(new BigDecimal(s.port()), why.get("port"));
        Map<String, Object> src = sources(json).get(0);
        assertEquals(src.get("offsetSeconds"), why.get("offsetSeconds"), "the reason's offset is the selected one");
        assertEquals(List.of(), src.get("reasons"));
        assertEquals(List.of("host", "address", "port", "role", "status", "reason", "reasons", "stratum", "leap",
                "refId",
                "offsetSeconds", "delaySeconds", "rootDelaySeconds", "rootDispersionSeconds", "rootDistanceSeconds",
                "samples"), List.copyOf(src.keySet()));
        assertEquals(src, json.get("selected"));
        assertEquals("127.0.0.1", src.get("host"));
        assertEquals("127.0.0.1", src.get("address"));
        assertEquals(new BigDecimal(s.port()), src.get("port"));
        assertEquals("primary", src.get("role"));
        assertEquals("ok", src.get("status"));
        assertEquals(Json.NULL, src.get("reason"));
        assertEquals(BigDecimal.ONE, src.get("stratum"));
        assertEquals("none", src.get("leap"));
        assertEquals("GPS", src.get("refId"));
        Offsets.assertOffset(2.5, seconds(src.get("offsetSeconds")), seconds(src.get("delaySeconds")), r.out());
        // in seconds: not more than the whole run took (in milliseconds or microseconds it would be)
        assertTrue(seconds(src.get("delaySeconds")) <= took.toNanos() / 1e9, r.out() + " took " + took);
        assertEquals(0.004, seconds(src.get("rootDelaySeconds")), 0.0001);
        assertEquals(0.007, seconds(src.get("rootDispersionSeconds")), 0.0001);
        assertEquals(0.009, seconds(src.get("rootDistanceSeconds")), 0.0001);
        assertEquals(new BigDecimal(3), src.get("samples"));
        assertEquals(3, s.requestCount());
    }

    @Test
    void jsonReportsEveryStatus() throws IOException {
        SntpTestServer ok = server();
        SntpTestServer kiss = server().kissOfDeath("RATE");
        SntpTestServer stratum16 = server().stratum(16);
        SntpTestServer silent = server().drop(true);
        int closed = closedPort();
        ProbeHarness.Run r = probe.run("--json", "--timeout", T300, at(ok), at(kiss), at(stratum16), at(silent),
                "127.0.0.1:" + closed, "--fallback", "no-such-host.test");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> json = Json.object(r.out());
        List<Map<String, Object>> src = sources(json);
        assertEquals(List.of("ok", "kiss", "rejected", "timeout", "unreachable", "unresolved"),
                src.stream().map(x -> x.get("status")).toList(), r.out());
        assertEquals(List.of("primary", "primary", "primary", "primary", "primary", "fallback"),
                src.stream().map(x -> x.get("role")).toList());
        assertEquals("RATE", src.get(1).get("reason"));
        assertEquals("bad-stratum", src.get(2).get("reason"));
        assertEquals(Json.NULL, src.get(3).get("offsetSeconds"));
        assertEquals(Json.NULL, src.get(5).get("address"));
        assertEquals(new BigDecimal(123), src.get(5).get("port"));
        assertEquals("no-such-host.test", src.get(5).get("host"));
        assertEquals(new BigDecimal(ok.port()), ((Map<?, ?>) json.get("selected")).get("port"));
    }

    @Test
    void aValueTheLibraryRefusesIsReportedAsTheOptionWithSecondsNotIsoDurations() {
        ProbeHarness.Run r = probe.run("--max-offset", "2h", "127.0.0.1:9");
        assertEquals(3, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("ntp-probe: --max-offset must be positive and at most 3600 s, was 7200 s\n"),
                r.err());
        ProbeHarness.Run t = probe.run("--timeout", "10min", "127.0.0.1:9");
        assertTrue(t.err().startsWith("ntp-probe: --timeout must be positive and at most 60 s, was 600 s\n"), t.err());
        assertEquals("1.5 s, not -0.25 s or PTX", ProbeConfig.readable("PT1.5S, not PT-0.25S or PTX"));
    }

    @Test
    void anUnreachableServerIsNamedAsTheUserWroteItWithoutJavasLeadingSlash() throws IOException {
        int closed = closedPort();
        ProbeHarness.Run table = probe.run("127.0.0.1:" + closed);
        assertEquals(2, table.code(), table.err());
        assertTrue(table.out().contains("unreachable (ICMP port unreachable from 127.0.0.1 port " + closed + ")"),
                table.out());
        assertFalse(table.out().contains("/127.0.0.1"), table.out());
        ProbeHarness.Run json = probe.run("--json", "127.0.0.1:" + closed);
        assertEquals("ICMP port unreachable from 127.0.0.1 port " + closed,
                sources(Json.object(json.out())).get(0).get("reason"));
    }

    @Test
    void unsynchronizedJsonHasANullSelection() {
        ProbeHarness.Run r = probe.run("--json", at(server().stratum(16)));
        assertEquals(2, r.code());
        Map<String, Object> json = Json.object(r.out());
        assertEquals("UNSYNCHRONIZED", json.get("verdict"));
        assertEquals(Json.NULL, json.get("selected"));
    }

    @Test
    void aFallbackThatDeniedUsIsShownAsRejectedWhenSkippedOnTheNextCheck() {
        SntpTestServer deny = server().kissOfDeath("DENY");
        ProbeHarness.Run r = probe.run("--json", "--watch", "1s", "--count", "2", "--fallback", at(deny));
        assertEquals(2, r.code());
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        Map<String, Object> first = sources(Json.object(lines[0])).get(0);
        Map<String, Object> second = sources(Json.object(lines[1])).get(0);
        assertEquals("kiss", first.get("status"));
        assertEquals("DENY", first.get("reason"));
        assertEquals("rejected", second.get("status"));
        assertEquals("denied", second.get("reason"));
        assertEquals(1, deny.requestCount(), "a denied server is not asked again");
    }

    @Test
    void nagiosPrintsOneCheckNtpTimeStyleLineWithPerfdata() {
        SntpTestServer s = server().offset(Duration.ofMillis(50)).stratum(1);
        ProbeHarness.Run ok = probe.run("--nagios", "-w", "0.1", "-c", "200ms", at(s));
        assertEquals(0, ok.code());
        String nagiosLine = "NTP %s: Offset " + Offsets.SECONDS + " secs, primary 127\\.0\\.0\\.1 stratum 1%s"
                + "\\|offset=" + Offsets.SECONDS + "s;%s; delay=" + Offsets.SECONDS + "s;;;0; "
                + "root_distance=0\\.025\\d{3}s;;;0; stratum=1;;;0;16\n";
        assertNagiosOffset(0.05, String.format(nagiosLine, "OK", "", "0\\.100000;0\\.200000"), ok.out());
        ProbeHarness.Run warn = probe.run("--nagios", "--warning", "0.01", at(s));
        assertEquals(1, warn.code());
        assertTrue(warn.out().startsWith("NTP WARNING: Offset "), warn.out());
        assertTrue(warn.out().contains("offset above warning 0.01|offset="), warn.out());
        assertNagiosOffset(0.05, String.format(nagiosLine, "WARNING", ", offset above warning 0\\.01",
                "0\\.010000;"), warn.out());
        ProbeHarness.Run crit = probe.run("--nagios", "--critical=0.01", at(s));
        assertEquals(2, crit.code());
        assertTrue(crit.out().startsWith("NTP CRITICAL: Offset "), crit.out());
        assertNagiosOffset(0.05, String.format(nagiosLine, "CRITICAL", ", offset above critical 0\\.01",
                ";0\\.010000"), crit.out());
        assertTrue(crit.out().contains(";;0.010000;"), crit.out());
    }

    /** The whole line matches {@code regex}, whose groups are the text's offset, the perfdata's, and the delay. */
    private static void assertNagiosOffset(double expectedSeconds, String regex, String out) {
        assertTrue(out.matches(regex), out);
        double[] n = Offsets.numbers(regex, out);
        assertEquals(n[0], n[1], "the text and the perfdata give the same offset");
        Offsets.assertOffset(expectedSeconds, n[0], n[2], out);
    }

    @Test
    void nagiosNamesTheFallbackAndTheDeadSources() {
        SntpTestServer dead = server().drop(true);
        SntpTestServer pool = server();
        ProbeHarness.Run fallback = probe.run("--nagios", "--timeout", T200, at(dead), "--fallback", at(pool));
        assertEquals(1, fallback.code());
        assertTrue(fallback.out().startsWith("NTP WARNING: Offset "), fallback.out());
        assertTrue(fallback.out().contains("fallback only 127.0.0.1 stratum 2|"), fallback.out());
        ProbeHarness.Run none = probe.run("--nagios", "--timeout", T200, at(dead));
        assertEquals(2, none.code());
        // The primary's burst and retry end one timeout after its first request, half the check's deadline; only
        // a query thread held back for that long by a loaded machine would meet the deadline instead.
        String deadline = Pattern.quote(TestTimeouts.scaled(Duration.ofMillis(400)).toMillis() / 1000.0 + " s");
        assertTrue(none.out().matches("NTP CRITICAL: Offset unknown, the only source gave no valid answer"
                + " \\(127\\.0\\.0\\.1 timeout \\((no valid answer to 1 request\\(s\\)|no answer within the check"
                + " deadline of " + deadline + ")\\)\\)\n"), none.out());
    }

    // ---- options ----

    @Test
    void positionalServersAndPrimaryAndFallbackOptionsKeepTheirOrderAndRoles() {
        SntpTestServer a = server();
        SntpTestServer b = server();
        SntpTestServer c = server();
        SntpTestServer d = server();
        ProbeHarness.Run r = probe.run("--json", at(a), "--fallback", at(c), "--primary", at(b), "--fallback="
                + at(d));
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> src = sources(Json.object(r.out()));
        assertEquals(List.of(a.port(), b.port(), c.port(), d.port()),
                src.stream().map(x -> ((BigDecimal) x.get("port")).intValue()).toList());
        assertEquals(List.of("primary", "primary", "fallback", "fallback"),
                src.stream().map(x -> x.get("role")).toList());
    }

    @Test
    void namesAreResolvedAndPortDefaultsTo123() {
        SntpTestServer s = server();
        probe.names.put("pi-ntp.test", List.of(InetAddress.getLoopbackAddress()));
        ProbeHarness.Run r = probe.run("--json", "--timeout", T200, "pi-ntp.test", "pi-ntp.test:" + s.port());
        List<Map<String, Object>> src = sources(Json.object(r.out()));
        assertEquals("pi-ntp.test", src.get(0).get("host"));
        assertEquals(new BigDecimal(123), src.get(0).get("port"));
        assertEquals("127.0.0.1", src.get(1).get("address"));
        assertEquals("ok", src.get(1).get("status"));
    }

    @Test
    void samplesSetsTheExchangesPerPrimary() {
        SntpTestServer s = server();
        SntpTestServer pool = server();
        ProbeHarness.Run r = probe.run("--json", "--samples", "5", at(s), "--fallback", at(pool));
        List<Map<String, Object>> src = sources(Json.object(r.out()));
        assertEquals(5, s.requestCount());
        assertEquals(new BigDecimal(5), src.get(0).get("samples"));
        assertEquals(1, pool.requestCount(), "fallbacks get one exchange (pool etiquette)");
    }

    @Test
    void timeoutDecidesWhetherASlowServerCounts() {
        SntpTestServer slow = server().delay(Duration.ofMillis(400));
        ProbeHarness.Run quick = probe.run("--json", "--samples", "1", "--timeout", "150ms", at(slow));
        assertEquals("timeout", sources(Json.object(quick.out())).get(0).get("status"));
        assertEquals(2, quick.code());
        ProbeHarness.Run patient = probe.run("--json", "--samples", "1", "--timeout",
                TestTimeouts.arg(Duration.ofMillis(1500)), "--max-offset", "1s", at(slow));
        assertEquals("ok", sources(Json.object(patient.out())).get(0).get("status"), patient.out());
        assertEquals(0, patient.code());
    }

    @Test
    void maxRootDistanceRejectsADistantServer() {
        SntpTestServer s = server().rootDispersion(Duration.ofMillis(1500));
        assertEquals(0, probe.run(at(s)).code());
        ProbeHarness.Run r = probe.run("--max-root-distance", "1s", at(s));
        assertEquals(2, r.code());
        assertTrue(r.out().contains("rejected (root-distance-too-large)"), r.out());
    }

    @Test
    void maxOffsetDecidesWhatCountsAsInSync() {
        SntpTestServer s = server().offset(Duration.ofMillis(-700));
        ProbeHarness.Run strict = probe.run(at(s));
        assertEquals(2, strict.code());
        // a valid answer that shows this clock off: the source is ok, the verdict says what is off, and by how much
        double[] row = Offsets.numbers(" primary +ok +2 +" + Offsets.SECONDS + " +" + Offsets.SECONDS + " ",
                strict.out());
        Offsets.assertOffset(-0.7, row[0], row[1], strict.out());
        double said = Offsets.numbers("Verdict: UNSYNCHRONIZED: this clock is ([+-]\\d+\\.\\d{3}) s off against"
                + " 127\\.0\\.0\\.1 \\(limit 0\\.128 s\\)\n", strict.out())[0];
        assertEquals(row[0], said, 0.0005 + 1e-9, "the verdict's offset is the row's, to the millisecond");
        assertEquals(0, probe.run("--max-offset", "1s", at(s)).code());
    }

    // ---- defaults from systemd-timesyncd ----

    @Test
    void withoutServersTheTimesyncdConfigurationUnderRootIsUsed(@TempDir Path root) throws IOException {
        SntpTestServer primary = server().rootDispersion(Duration.ofMillis(1500));
        SntpTestServer replaced = server();
        SntpTestServer fallback = server();
        Path etc = Files.createDirectories(root.resolve("etc/systemd/timesyncd.conf.d"));
        Files.writeString(root.resolve("etc/systemd/timesyncd.conf"),
                "[Time]\nNTP=" + at(replaced) + "\nFallbackNTP=" + at(fallback) + "\nRootDistanceMaxSec=5\n");
        Files.writeString(etc.resolve("50-pi.conf"), "[Time]\nNTP=\nNTP=" + at(primary) + "\nRootDistanceMaxSec=1\n");
        ProbeHarness.Run r = probe.run("--json", "--root", root.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        List<Map<String, Object>> src = sources(Json.object(r.out()));
        assertEquals(2, src.size(), r.out());
        assertEquals(new BigDecimal(primary.port()), src.get(0).get("port"));
        assertEquals("root-distance-too-large", src.get(0).get("reason"));
        assertEquals(new BigDecimal(fallback.port()), src.get(1).get("port"));
        assertEquals("ok", src.get(1).get("status"));
        assertEquals(0, replaced.requestCount());
        assertEquals(0, probe.run("--root", root.toString(), "--max-root-distance", "2s").code(),
                "--max-root-distance wins over RootDistanceMaxSec=");
    }

    @Test
    void theSteeringDropInsEmptyNtpLeavesOnlyTheFallbacksNotTheBuiltInPrimary(@TempDir Path root) throws IOException {
        SntpTestServer configured = server();
        SntpTestServer fallback = server();
        Files.createDirectories(root.resolve("etc/systemd"));
        Files.writeString(root.resolve("etc/systemd/timesyncd.conf"), "[Time]\nNTP=" + at(configured) + "\n");
        Path run = Files.createDirectories(root.resolve("run/systemd/timesyncd.conf.d"));
        Files.writeString(run.resolve("90-ntp-monitor-steering.conf"), "[Time]\nNTP=\nFallbackNTP=" + at(fallback)
                + "\n");
        List<String> configs = new ArrayList<>();
        ProbeEnvironment.CheckerFactory real = probe.checkers;
        probe.checkers = config -> {
            configs.add(config.primaries() + " " + config.fallbacks());
            return real.create(config);
        };
        ProbeHarness.Run r = probe.run("--json", "--root", root.toString());
        assertEquals(List.of("[] [127.0.0.1:" + fallback.port() + "]"), configs, r.err());
        List<Map<String, Object>> src = sources(Json.object(r.out()));
        assertEquals(1, src.size(), r.out());
        assertEquals("ok", src.get(0).get("status"));
        assertEquals(0, configured.requestCount());
    }

    @Test
    void aFifoDropInIsAnErrorNamingItNotAHang(@TempDir Path root) throws Exception {
        Path dir = Files.createDirectories(root.resolve("etc/systemd/timesyncd.conf.d"));
        Path fifo = dir.resolve("50-fifo.conf");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        ProbeHarness.Run r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> probe.run("--root", root.toString()));
        assertEquals(3, r.code());
        assertEquals("ntp-probe: " + fifo + ": not a regular file (a FIFO); only regular files are read\n", r.err());
    }

    @Test
    void anInvalidTimesyncdConfigurationIsOneLineAndExitThree(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("etc/systemd"));
        Files.writeString(root.resolve("etc/systemd/timesyncd.conf"), "[Time]\nRootDistanceMaxSec=soon\n");
        ProbeHarness.Run r = probe.run("--root", root.toString());
        assertEquals(3, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().matches("ntp-probe: .*timesyncd\\.conf:2: RootDistanceMaxSec: .*\n"), r.err());
        ProbeHarness.Run nagios = probe.run("--nagios", "--root", root.toString());
        assertTrue(nagios.out().startsWith("NTP UNKNOWN: "), nagios.out());
        assertEquals(3, nagios.code());
    }

    @Test
    void aRootThatIsNotADirectoryIsAnErrorNotTheBuiltInServers(@TempDir Path root) {
        // a mistyped --root must not silently probe 192.168.4.2 and the pool
        List<String> created = new ArrayList<>();
        probe.checkers = config -> {
            created.add(config.toString());
            throw new AssertionError("no check may run");
        };
        Path missing = root.resolve("no-such-image");
        ProbeHarness.Run r = probe.run("--root", missing.toString());
        assertEquals(3, r.code());
        assertEquals("", r.out());
        assertEquals("ntp-probe: --root " + missing + ": not a directory\n", r.err());
        assertEquals(List.of(), created);
    }

    // ---- watch ----

    @Test
    void watchRedrawsInPlaceWithAnOffsetSparklinePerSource() {
        SntpTestServer s = server().offset(Duration.ofMillis(10));
        int[] check = {0};
        long[] next = {50, 210};
        probe.betweenChecks = () -> s.offset(Duration.ofMillis(next[check[0]++]));
        probe.terminal = true;
        ProbeHarness.Run r = probe.run("--watch", "2s", "--count", "3", "--max-offset", "1s", at(s));
        assertEquals(0, r.code(), r.err());
        assertEquals(2, probe.sleeps.size());
        for (Duration d : probe.sleeps) {
            assertTrue(d.compareTo(Duration.ofSeconds(2)) <= 0 && d.compareTo(Duration.ofSeconds(1)) > 0, d.toString());
        }
        String[] frames = r.out().split("\033\\[\\d+A\033\\[J", -1);
        assertEquals(3, frames.length, r.out());
        assertTrue(frames[0].startsWith("Every 2 s: ntp-probe, check 1 at "), frames[0]);
        assertTrue(frames[2].startsWith("Every 2 s: ntp-probe, check 3 at "), frames[2]);
        int lines = frames[1].split("\n", -1).length - 1;
        assertTrue(r.out().contains("\033[" + lines + "A\033[J"), "moves up by the height of a frame");
        assertTrue(frames[2].contains(" HISTORY"), frames[2]);
        assertTrue(Pattern.compile("primary +ok .* ▁▂█\n").matcher(frames[2]).find(), frames[2]);
        assertTrue(Pattern.compile("primary +ok .* ▁\n").matcher(frames[0]).find(), frames[0]);
    }

    @Test
    void watchWithoutATerminalPrintsFramesOneAfterAnotherInAscii() {
        SntpTestServer s = server();
        probe.unicode = false;
        int[] check = {0};
        probe.betweenChecks = () -> s.drop(++check[0] == 1);
        ProbeHarness.Run r = probe.run("--watch", "1s", "--count", "3", "--timeout", T200, at(s));
        assertFalse(r.out().contains("\033"), r.out());
        assertTrue(r.out().contains("check 3 at"), r.out());
        // two ASCII bars with the timed-out check's gap between them; a bar's height is the measured offset within
        // the window (loopback jitter of a few 0.1 ms moves it), so only the shape is asserted
        assertTrue(Pattern.compile("primary +ok .* [_.~=*#@-] [_.~=*#@-]\n").matcher(r.out()).find(), r.out());
        assertEquals(0, r.code());
    }

    // ---- help, version, errors ----

    @Test
    void helpListsEveryOptionAndExitsZero() {
        ProbeHarness.Run r = probe.run("--help");
        assertEquals(0, r.code());
        for (OptionSpec o : ProbeCommand.OPTIONS) {
            assertTrue(r.out().contains(o.synopsis()), o.synopsis());
        }
        assertEquals(r.out(), probe.run("-h").out());
    }

    @Test
    void versionPrintsTheNameAndExitsZero() {
        ProbeHarness.Run r = probe.run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("ntp-probe "), r.out());
        assertEquals(r.out(), probe.run("-V").out());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--frobnicate", "-x", "--timeout", "--samples 0", "--samples 17", "--samples two", "--timeout soon",
        "--timeout 0", "--timeout -1s", "--timeout 2min", "--max-offset 2h", "--max-root-distance 0",
        "--max-root-distance 61s", "127.0.0.1:99999", "[::1", "--primary", "--json --nagios", "--watch 1s --nagios",
        "--count 2", "--watch 1s --count 0", "--watch never", "-w 2 -c 1", "--json=yes", "--timeout 1s --timeout 2s",
        "127.0.0.1:123 --fallback 127.0.0.1:123", "127.0.0.1:123 127.0.0.1:123", "--root", "-w", "-c x",
        "--fallback= ", "--watch 100ms --count 1 127.0.0.1:9"})
    void aBadArgumentGetsOneLineAndTheUsageAndExitThree(String line) {
        ProbeHarness.Run r = probe.run(line.split(" "));
        assertEquals(3, r.code(), r.err());
        assertEquals("", r.out());
        String[] err = r.err().split("\n");
        assertTrue(err[0].startsWith("ntp-probe: ") && err[0].length() > "ntp-probe: ".length(), r.err());
        assertTrue(err[1].startsWith("Usage: ntp-probe "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertTrue(r.err().endsWith(ProbeCommand.usage()), "the whole usage follows");
    }

    @Test
    void aWatchIntervalBelowOneSecondIsRefusedBeforeAnyQuery() {
        ProbeHarness.Run r = probe.run("--watch", "0.2s", "--count", "2", "127.0.0.1:9");
        assertEquals(3, r.code());
        assertTrue(r.err().startsWith("ntp-probe: --watch must be at least 1s, was '0.2s'\n"), r.err());
    }

    @Test
    void anInternalErrorIsOneLineAndExitThreeInEveryMode() {
        probe.checkers = config -> {
            throw new IllegalStateException("broken\nchecker");
        };
        ProbeHarness.Run table = probe.run("127.0.0.1:1");
        assertEquals(3, table.code());
        assertEquals("ntp-probe: internal error: java.lang.IllegalStateException: broken checker\n", table.err());
        ProbeHarness.Run nagios = probe.run("--nagios", "127.0.0.1:1");
        assertEquals(3, nagios.code());
        assertEquals("NTP UNKNOWN: internal error: java.lang.IllegalStateException: broken checker\n", nagios.out());
        assertEquals(3, probe.run("--json", "127.0.0.1:1").code());
    }

    @Test
    void aFailureWhileReadingTheConfigurationIsOneLineAndExitThree() {
        probe.defaults = root -> {
            throw new java.io.UncheckedIOException(new java.io.IOException("disk on fire"));
        };
        ProbeHarness.Run r = probe.run("--root", "/nonexistent");
        assertEquals(3, r.code());
        assertEquals("ntp-probe: internal error: java.io.UncheckedIOException: java.io.IOException: disk on fire\n",
                r.err());
    }
}
