package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertTrue(metrics.get().contains("ntp_power_saving 1\n"), metrics.get());
    }

    @Test
    void aFailingCycleEndsPowerSavingAndTheNextOneStillRuns() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        JournalSink.configure(new PrintStream(log, true, StandardCharsets.UTF_8), true, JournalSink.INFO);
        try {
            RecordingSystemctl systemctl = new RecordingSystemctl();
            TestClock clock = new TestClock(Checks.T0);
            AtomicReference<Boolean> broken = new AtomicReference<>(false);
            Checks.Scripted good = new Checks.Scripted().then(Checks.primary(Checks.T0));
            java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
            dev.pintp.ntp.NtpChecker checker = new dev.pintp.ntp.NtpChecker() {
                @Override
                public dev.pintp.ntp.CheckResult check() {
                    if (broken.get()) {
                        failures.incrementAndGet();
                        throw new IllegalStateException("scripted failure");
                    }
                    return good.check();
                }

                @Override
                public dev.pintp.ntp.BackoffState backoffState() {
                    return dev.pintp.ntp.BackoffState.empty();
                }
            };
            MonitorJob job = new MonitorJob(Fixtures.settings(root, "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n"),
                    root, systemctl, new AtomicFiles(), clock, b -> checker, AlertSink.NONE, t -> { },
                    Duration.ofSeconds(5));
            Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
            for (int i = 0; i < 10 && !Files.exists(dropIn); i++) {
                clock.advance(Duration.ofMinutes(1));
                assertEquals(0, job.runOnce());
            }
            assertTrue(Files.exists(dropIn), "power saving granted");
            systemctl.clear();
            broken.set(true);
            Daemon daemon = new Daemon(job, Duration.ofMillis(20));
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> running = ex.submit(daemon::run);
                for (int i = 0; i < 1500 && failures.get() < 3; i++) {
                    Thread.sleep(20);
                }
                daemon.stop(Duration.ofSeconds(5));
                assertEquals(0, running.get(5, TimeUnit.SECONDS));
            } finally {
                ex.shutdownNow();
            }
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(failures.get() >= 3, "cycles went on after a failure: " + text);
            assertFalse(Files.exists(dropIn), "the first failing cycle ended power saving");
            assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls(),
                    "one restart, not one per failing cycle");
            List<String> errors = text.lines().filter(l -> l.startsWith("<3>run failed, no power saving: the check "
                    + "failed: unexpected java.lang.IllegalStateException: scripted failure; ")).toList();
            assertTrue(errors.size() >= 3, text);
            assertTrue(errors.get(0).endsWith("; removed /run/systemd/system/controller.service.d/ntp-environment.conf, "
                    + "restarted controller.service"), errors.get(0));
            assertTrue(errors.get(1).endsWith("; no drop-in was in place"), errors.get(1));
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
