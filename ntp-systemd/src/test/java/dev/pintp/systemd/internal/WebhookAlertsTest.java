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

    @BeforeEach
    void start() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
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
        WebhookAlerts s = sink(Duration.ofSeconds(2), 3);
        s.send(ALERT);
        s.close(Duration.ofSeconds(5));
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
        WebhookAlerts s = sink(Duration.ofSeconds(2), 3);
        s.send(ALERT);
        s.close(Duration.ofSeconds(10));
        wm.verify(3, postRequestedFor(urlEqualTo("/hook")));
        assertEquals("done", wm.getAllScenarios().getScenarios().get(0).getState());
    }

    @Test
    void retriesAreBounded() throws Exception {
        wm.stubFor(post("/hook").willReturn(aResponse().withStatus(500)));
        WebhookAlerts s = sink(Duration.ofSeconds(2), 2);
        s.send(ALERT);
        s.close(Duration.ofSeconds(10));
        wm.verify(2, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void aSlowEndpointTimesOutAndTheRetryGetsThrough() throws Exception {
        wm.stubFor(post("/hook").inScenario("slow").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(200).withFixedDelay(6000)).willSetStateTo("fast"));
        wm.stubFor(post("/hook").inScenario("slow").whenScenarioStateIs("fast")
                .willReturn(aResponse().withStatus(200)).willSetStateTo("done"));
        // 1.5 s: room for the fast retry's round trip on a loaded machine, far below the slow answer
        WebhookAlerts s = sink(Duration.ofMillis(1500), 3);
        s.send(ALERT);
        s.close(Duration.ofSeconds(20));
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
