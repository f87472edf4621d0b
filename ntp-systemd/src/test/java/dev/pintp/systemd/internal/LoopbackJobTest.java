package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job with the real checker against the in-process SNTP server on loopback. */
class LoopbackJobTest {
    @TempDir
    Path root;

    @Test
    void aGoodLoopbackPrimaryTurnsPowerSavingOnAndItsSilenceTurnsItOff() throws Exception {
        try (SntpTestServer pi = SntpTestServer.start()) {
            pi.localClock(1);
            Settings s = Fixtures.settings(root, "[Servers]\nPrimary=127.0.0.1:" + pi.port() + "\nFallback=\n"
                    + "Timeout=300ms\nPrimarySamples=2\n");
            RecordingSystemctl systemctl = new RecordingSystemctl();
            AtomicReference<String> metrics = new AtomicReference<>("");
            MonitorJob job = new MonitorJob(s, root, systemctl, new AtomicFiles(), Clock.systemUTC(),
                    b -> NtpChecker.custom(s.ntp()).backoffState(b).build(), AlertSink.NONE, metrics::set,
                    Duration.ofSeconds(5));
            assertEquals(0, job.runOnce());
            Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
            String text = Files.readString(dropIn);
            assertTrue(text.contains("Environment=NTP_SERVER=127.0.0.1\n"), text);
            assertTrue(text.contains("Environment=CONSERVE_POWER=1\n"), text);
            assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());
            assertTrue(metrics.get().contains("ntp_power_saving 1\n"), metrics.get());

            try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0))) {
                server.update(metrics.get());
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
                assertEquals(metrics.get(), r.body());
            }

            pi.drop(true); // the Pi Zero's NTP service stops answering
            systemctl.clear();
            assertEquals(0, job.runOnce(), "unsynchronized is a normal state, not a fault");
            assertFalse(Files.exists(dropIn));
            assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());
        }
    }

    @Test
    void aPiZeroFiveSecondsAheadOfTheOnlyPoolServerGetsNoPowerSavingAndTimesyncdGoesToThePool() throws Exception {
        try (SntpTestServer pi = SntpTestServer.start(); SntpTestServer pool = SntpTestServer.start()) {
            pi.localClock(1);
            pool.localClock(1);
            Settings s = Fixtures.settings(root, "[Servers]\nPrimary=127.0.0.1:" + pi.port() + "\nFallback=127.0.0.1:"
                    + pool.port() + "\nTimeout=300ms\nPrimarySamples=2\n");
            RecordingSystemctl systemctl = new RecordingSystemctl();
            MonitorJob job = new MonitorJob(s, root, systemctl, new AtomicFiles(), Clock.systemUTC(),
                    b -> NtpChecker.custom(s.ntp()).backoffState(b).build(), AlertSink.NONE, t -> { },
                    Duration.ofSeconds(5));
            Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
            Path steering = root.resolve("run/systemd/timesyncd.conf.d/90-ntp-monitor-steering.conf");
            assertEquals(0, job.runOnce());
            assertTrue(Files.readString(dropIn).contains("Environment=CONSERVE_POWER=1\n"));
            assertFalse(Files.exists(steering));

            pi.offset(Duration.ofSeconds(5));
            assertEquals(0, job.runOnce());
            assertFalse(Files.exists(dropIn), "a Pi Zero the pool contradicts is no reason to save power");
            assertTrue(Files.readString(steering).contains("\nNTP=\nFallbackNTP=127.0.0.1\n"));
            assertTrue(systemctl.calls().contains("try-restart systemd-timesyncd.service"), systemctl.calls().toString());

            pi.offset(Duration.ZERO);
            assertEquals(0, job.runOnce());
            assertTrue(Files.exists(dropIn), "the Pi Zero agrees again");
            assertFalse(Files.exists(steering));
        }
    }
}
