package dev.pintp.systemd.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookAlertsTest {
    private static final Alert ALERT = new Alert("sync_lost", true, Instant.parse("2026-11-25T05:00:00Z"),
            Map.of("host", "mainpi", "verdict", "UNSYNCHRONIZED"));
    WireMockServer wm;

    /**
     * Per attempt where the timeout is not what a test is about: a first request to a fresh WireMock on a loaded
     * machine was seen to take over 2 s (Jetty's and the HTTP client's first use), which made the sink retry and
     * WireMock count two requests where the test expected one.
     */
    private static final Duration PATIENT = Duration.ofSeconds(30);
    /** How long close() may wait for deliveries: returns as soon as they are done, so only a failure waits it out. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    @BeforeEach
    void start() throws IOException, InterruptedException {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        // one request before the test's: the first is slow (class loading on both sides), not what is measured here
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + wm.port() + "/warm-up")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        wm.resetRequests();
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    private WebhookAlerts sink(Duration timeout, int attempts) {
        return new WebhookAlerts(URI.create("http://127.0.0.1:" + wm.port() + "/hook"), timeout, attempts,
                Duration.ofMillis(50));
    }

    private void awaitRequests(int n) throws InterruptedException {
        for (int i = 0; i < 1200 && wm.countRequestsMatching(postRequestedFor(urlEqualTo("/hook")).build()).getCount() < n; i++) {
            Thread.sleep(25);
        }
    }

    @Test
    void anAlertIsPostedAsJson() throws Exception {
        wm.stubFor(post("/hook").willReturn(aResponse().withStatus(204)));
        WebhookAlerts s = sink(PATIENT, 3);
        s.send(ALERT);
        s.close(GRACE);
        wm.verify(1, postRequestedFor(urlEqualTo("/hook")).withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"event\":\"sync_lost\",\"raised\":true,\"at\":\"2026-11-25T05:00:00Z\","
                        + "\"source\":\"ntp-monitor\",\"host\":\"mainpi\",\"verdict\":\"UNSYNCHRONIZED\"}")));
    }

    @Test
    void aFailingEndpointIsRetriedUntilItSucceeds() throws Exception {
        wm.stubFor(post("/hook").inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("second"));
        wm.stubFor(post("/hook").inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("third"));
        wm.stubFor(post("/hook").inScenario("flaky").whenScenarioStateIs("third")
                .willReturn(aResponse().withStatus(200)).willSetStateTo("done"));
        WebhookAlerts s = sink(PATIENT, 3);
        s.send(ALERT);
        s.close(GRACE);
        wm.verify(3, postRequestedFor(urlEqualTo("/hook")));
        assertEquals("done", wm.getAllScenarios().getScenarios().get(0).getState());
    }

    @Test
    void retriesAreBounded() throws Exception {
        wm.stubFor(post("/hook").willReturn(aResponse().withStatus(500)));
        WebhookAlerts s = sink(PATIENT, 2);
        s.send(ALERT);
        s.close(GRACE);
        wm.verify(2, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void aSlowEndpointTimesOutAndTheRetryGetsThrough() throws Exception {
        wm.stubFor(post("/hook").inScenario("slow").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(200).withFixedDelay(15_000)).willSetStateTo("fast"));
        wm.stubFor(post("/hook").inScenario("slow").whenScenarioStateIs("fast")
                .willReturn(aResponse().withStatus(200)).willSetStateTo("done"));
        // 3 s: room for the fast retry's round trip on a loaded machine (after the warm-up), far below the slow answer
        WebhookAlerts s = sink(Duration.ofSeconds(3), 3);
        s.send(ALERT);
        s.close(GRACE);
        wm.verify(2, postRequestedFor(urlEqualTo("/hook")));
        assertEquals("done", wm.getAllScenarios().getScenarios().get(0).getState());
    }

    @TempDir
    Path root;

    @Test
    void aHangingEndpointNeitherBlocksNorFailsTheCycle() throws IOException, InterruptedException {
        wm.stubFor(post("/hook").willReturn(aResponse().withStatus(200).withFixedDelay(20_000)));
        WebhookAlerts s = sink(Duration.ofSeconds(30), 3);
        RecordingSystemctl systemctl = new RecordingSystemctl();
        TestClock clock = new TestClock(Checks.T0);
        Checks.Scripted checker = new Checks.Scripted();
        MonitorJob job = new MonitorJob(Fixtures.settings(root, ""), root,
                systemctl, new AtomicFiles(), clock, b -> checker, s, t -> { }, Duration.ofSeconds(5));
        checker.then(Checks.primary(clock.instant()));
        assertEquals(0, job.runOnce());
        checker.then(Checks.none(clock.instant()));
        clock.advance(Duration.ofMinutes(5));
        assertEquals(0, job.runOnce()); // sync lost -> alert queued while the endpoint hangs
        awaitRequests(1);
        assertEquals(1, wm.countRequestsMatching(postRequestedFor(urlEqualTo("/hook")).build()).getCount(),
                "the alert is on its way");
        // the cycle finished although the endpoint has not answered; the drop-in is already gone
        assertTrue(Files.notExists(root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf")));
        checker.then(Checks.none(clock.instant()));
        assertEquals(0, job.runOnce(), "the next cycle runs too");
        s.close(Duration.ofMillis(100)); // the run gives up on the delivery after its grace time
    }
}
