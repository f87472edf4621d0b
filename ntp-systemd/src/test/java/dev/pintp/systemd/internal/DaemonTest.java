package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonTest {
    @TempDir
    Path root;

    @Test
    void theDaemonRunsTheCycleEveryIntervalInOneProcessUntilStopped() throws Exception {
        RecordingSystemctl systemctl = new RecordingSystemctl();
        TestClock clock = new TestClock(Checks.T0);
        Checks.Scripted checker = new Checks.Scripted().then(Checks.primary(Checks.T0));
        AtomicReference<String> metrics = new AtomicReference<>("");
        MonitorJob job = new MonitorJob(Fixtures.settings(root, ""), root,
                systemctl, new AtomicFiles(), clock, b -> checker, AlertSink.NONE, metrics::set, Duration.ofSeconds(5));
        Daemon daemon = new Daemon(job, Duration.ofMillis(50));
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> running = ex.submit(daemon::run);
            for (int i = 0; i < 1500 && checker.checks < 5; i++) {
                Thread.sleep(20);
            }
            daemon.stop(Duration.ofSeconds(5));
            assertEquals(0, running.get(5, TimeUnit.SECONDS));
        } finally {
            ex.shutdownNow();
        }
        assertTrue(checker.checks >= 5, "cycles: " + checker.checks);
        int after = checker.checks;
        Thread.sleep(150);
        assertEquals(after, checker.checks, "no cycle after stop");
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls(),
                "one change, one restart, however many cycles");
        assertTrue(Files.exists(root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf")));
        assertTrue(metrics.get().contains("ntp_monitor_power_saving 1\n"), metrics.get());
    }

    @Test
    void aFailingCycleIsLoggedAndTheNextOneStillRuns() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JournalSink.configure(new PrintStream(log, true, StandardCharsets.UTF_8), true, JournalSink.INFO);
        try {
            Checks.Scripted checker = new Checks.Scripted().then(Checks.primary(Checks.T0));
            // the state directory is a file: every cycle fails with an IOException
            Files.createDirectories(root.resolve("var/lib"));
            Files.writeString(root.resolve("var/lib/ntp-monitor"), "not a directory");
            MonitorJob job = new MonitorJob(Fixtures.settings(root, ""), root, new RecordingSystemctl(),
                    new AtomicFiles(), new TestClock(Checks.T0), b -> checker, AlertSink.NONE, t -> { },
                    Duration.ofSeconds(5));
            Daemon daemon = new Daemon(job, Duration.ofMillis(20));
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> running = ex.submit(daemon::run);
                for (int i = 0; i < 1500 && log.toString(StandardCharsets.UTF_8).split("cycle failed", -1).length < 4; i++) {
                    Thread.sleep(20);
                }
                daemon.stop(Duration.ofSeconds(5));
                running.get(5, TimeUnit.SECONDS);
            } finally {
                ex.shutdownNow();
            }
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.lines().filter(l -> l.startsWith("<3>cycle failed")).count() >= 3, text);
        } finally {
            JournalSink.configure(System.out, false, JournalSink.INFO);
        }
    }

    @Test
    void statusShowsStateDropInControllerAndTimer() throws IOException {
        RecordingSystemctl systemctl = new RecordingSystemctl()
                .property("controller.service", "Environment", "CONSERVE_POWER=1 NTP_SYNCED=true")
                .property("controller.service", "ActiveState", "active")
                .property("ntp-monitor.timer", "NextElapseUSecRealtime", "Wed 2026-11-25 05:31:00 UTC");
        Checks.Scripted checker = new Checks.Scripted().then(Checks.primary(Checks.T0));
        Settings s = Fixtures.settings(root, "");
        new MonitorJob(s, root, systemctl, new AtomicFiles(), new TestClock(Checks.T0), b -> checker, AlertSink.NONE,
                t -> { }, Duration.ofSeconds(5)).runOnce();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StatusReport.print(s, root, systemctl, new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("stable state:  PRIMARY_SYNCED 192.168.4.2 level 3 since 2026-11-25T05:00:00Z\n"), text);
        assertTrue(text.contains("last check:    2026-11-25T05:00:00Z ok\n               PRIMARY_SYNCED via 192.168.4.2"),
                text);
        assertTrue(text.contains("               Environment=CONSERVE_POWER=1\n"), text);
        assertTrue(text.contains("controller:    controller.service  Environment=CONSERVE_POWER=1 NTP_SYNCED=true"
                + "  ActiveState=active\n"), text);
        assertTrue(text.contains("timer:         ntp-monitor.timer  NextElapseUSecRealtime=Wed 2026-11-25 05:31:00 UTC\n"),
                text);
        assertTrue(text.lines().count() <= 24, "one screen");
    }
}
