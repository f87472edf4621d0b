package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.CheckResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MonitorJobTest {
    /** The default decision rule: losing immediate, regaining at the next good check, flap damping. */
    private static final String FAST = "[Decision]\n";
    private static final String ON = "# Written by ntp-monitor: the time is verified, the controller may save power.\n"
            + "# Removed when that stops being true. Do not edit: the next run rewrites it.\n"
            + "[Service]\n"
            + "Environment=CONSERVE_POWER=1\n"
            + "Environment=NTP_SYNCED=true\n"
            + "Environment=NTP_SERVER=192.168.4.2\n"
            + "Environment=NTP_SYNC_LEVEL=3\n";

    @TempDir
    Path root;
    final RecordingSystemctl systemctl = new RecordingSystemctl();
    final TestClock clock = new TestClock(Checks.T0);
    final Checks.Scripted checker = new Checks.Scripted();
    final List<Alert> alerts = new ArrayList<>();
    @RegisterExtension
    final JournalCapture journal = new JournalCapture(true, JournalSink.DEBUG);

    private MonitorJob job(String ini) {
        AlertSink sink = new AlertSink() {
            @Override
            public void send(Alert alert) {
                alerts.add(alert);
            }

            @Override
            public void close(Duration grace) {
            }
        };
        return new MonitorJob(Fixtures.settings(root, ini), root, systemctl, new AtomicFiles(), clock, b -> checker,
                sink, t -> { }, Duration.ofSeconds(5));
    }

    private int run(MonitorJob job, CheckResult result) throws IOException {
        checker.then(result);
        clock.advance(Duration.ofMinutes(1));
        return job.runOnce();
    }

    private Path dropIn() {
        return root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
    }

    private Path steering() {
        return root.resolve("run/systemd/timesyncd.conf.d/90-ntp-monitor-steering.conf");
    }

    private String logText() {
        return journal.text();
    }

    @Test
    void syncGainedAtTheFirstGoodCheckWritesTheDropInAndRestartsTheControllerOnce() throws IOException {
        MonitorJob job = job(FAST);
        assertEquals(0, run(job, Checks.none(clock.instant())));
        assertFalse(Files.exists(dropIn()));
        assertEquals(List.of(), systemctl.calls());

        assertEquals(0, run(job, Checks.primary(clock.instant())));
        assertEquals(ON, Files.readString(dropIn()), "the first good check is enough");
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());

        systemctl.clear();
        for (int i = 0; i < 3; i++) {
            assertEquals(0, run(job, Checks.primary(clock.instant())));
        }
        assertEquals(List.of(), systemctl.calls(), "unchanged runs call no systemctl");
        assertEquals(ON, Files.readString(dropIn()));
    }

    @Test
    void lossOfSyncRemovesTheDropInRestartsAndLogsAWarning() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.primary(clock.instant()));
        run(job, Checks.primary(clock.instant()));
        systemctl.clear();
        run(job, Checks.none(clock.instant()));
        assertFalse(Files.exists(dropIn()), "one check without a verified primary loses sync at once");
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());
        assertTrue(logText().lines().anyMatch(l -> l.startsWith("<4>") && l.contains("UNSYNCHRONIZED")
                && l.contains("removed")), logText());
        assertEquals(1, alerts.stream().filter(a -> a.event().equals("sync_lost")).count());
        assertEquals(1, alerts.stream().filter(a -> a.event().equals("sync_restored")).count());
    }

    @Test
    void aPrimaryShowingThisClockOffEndsPowerSavingAndTheLogStatusAndAlertSayWhy() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.primary(clock.instant()));
        assertTrue(Files.exists(dropIn()));
        journal.reset();
        run(job, Checks.clockOff(clock.instant()));
        assertFalse(Files.exists(dropIn()), "this clock is off: no power saving");
        String line = logText().lines().filter(l -> l.startsWith("<4>check ")).findFirst().orElseThrow(
                () -> new AssertionError(logText()));
        assertTrue(line.startsWith("<4>check UNSYNCHRONIZED: this clock is +1.250 s off against 192.168.4.2"
                + " (127.0.0.2) (limit 0.128 s); 192.168.4.2 (127.0.0.2:123) OK offset +1250.000 ms root distance 1.000 ms;"
                + " 0.debian.pool.ntp.org TIMEOUT; stable UNSYNCHRONIZED"), line);
        assertFalse(line.contains("REJECTED") || line.contains("OFFSET_TOO_LARGE"), "the Pi Zero answered validly");
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        StatusReport.print(Fixtures.settings(root, FAST), root, systemctl,
                new PrintStream(status, true, StandardCharsets.UTF_8));
        assertTrue(status.toString(StandardCharsets.UTF_8).contains("\n               UNSYNCHRONIZED: this clock is"
                + " +1.250 s off against 192.168.4.2 (127.0.0.2) (limit 0.128 s); 192.168.4.2 (127.0.0.2:123) OK offset"),
                status.toString(StandardCharsets.UTF_8));
        Alert lost = alerts.stream().filter(a -> a.event().equals("sync_lost")).findFirst().orElseThrow();
        assertTrue(String.valueOf(lost.fields().get("reason")).startsWith("UNSYNCHRONIZED: this clock is +1.250 s off"
                + " against 192.168.4.2 (127.0.0.2) (limit 0.128 s); "), lost.toString());
    }

    @Test
    void failingSystemctlKeepsTheStateAndTheNextRunRetries() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.none(clock.instant()));
        String syncBefore = Files.readString(root.resolve("var/lib/ntp-monitor/sync-state"));
        systemctl.failNext(1, "daemon-reload");
        assertEquals(1, run(job, Checks.primary(clock.instant())), "a failing systemctl is a fault");
        assertEquals(syncBefore, Files.readString(root.resolve("var/lib/ntp-monitor/sync-state")),
                "the state does not advance");
        assertTrue(logText().lines().anyMatch(l -> l.startsWith("<3>") && l.contains("systemctl failed")), logText());

        systemctl.clear();
        assertEquals(0, run(job, Checks.primary(clock.instant())));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls(), "retried");
        assertEquals(ON, Files.readString(dropIn()));
        systemctl.clear();
        run(job, Checks.primary(clock.instant()));
        assertEquals(List.of(), systemctl.calls(), "and not again once it worked");
    }

    @Test
    void aLossOfSyncIsAlertedOnceAlthoughSystemctlFailsAndTheRunsRetryIt() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.primary(clock.instant()));
        run(job, Checks.primary(clock.instant()));
        systemctl.failNext(2, "daemon-reload");
        assertEquals(1, run(job, Checks.none(clock.instant())));
        assertEquals(1, run(job, Checks.none(clock.instant())));
        assertEquals(0, run(job, Checks.none(clock.instant())));
        run(job, Checks.none(clock.instant()));
        assertEquals(List.of("sync_restored", "sync_lost"), alerts.stream().map(Alert::event).toList());
    }

    @Test
    void aFailedRestartIsRetriedByTheNextProcessToo() throws IOException {
        run(job(FAST), Checks.none(clock.instant()));
        systemctl.failNext(1, "try-restart");
        assertEquals(1, run(job(FAST), Checks.primary(clock.instant())));
        systemctl.clear();
        assertEquals(0, run(job(FAST), Checks.primary(clock.instant())));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());
    }

    @Test
    void theEtcLocationVariableNamesAndTargetUnitAreConfigurable() throws IOException {
        MonitorJob job = job(FAST + "[Controller]\nUnit=robot.service\nDropInName=50-time.conf\nDropInLocation=etc\n"
                + "ConservePowerVariable=SAVE\nSyncedVariable=SYNCED\nServerVariable=SERVER\nLevelVariable=LEVEL\n");
        run(job, Checks.primary(clock.instant()));
        run(job, Checks.primary(clock.instant()));
        String text = Files.readString(root.resolve("etc/systemd/system/robot.service.d/50-time.conf"));
        assertTrue(text.contains("Environment=SAVE=1\nEnvironment=SYNCED=true\nEnvironment=SERVER=192.168.4.2\n"
                + "Environment=LEVEL=3\n"), text);
        assertFalse(Files.exists(dropIn()));
        assertEquals(List.of("daemon-reload", "try-restart robot.service"), systemctl.calls());
    }

    @Test
    void afterARebootTheRuntimeDropInStartsOffUntilSyncIsVerifiedAgain() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.primary(clock.instant()));
        run(job, Checks.primary(clock.instant()));
        assertTrue(Files.exists(dropIn()));
        // reboot: /run is empty again, /var/lib keeps the state
        Files.delete(dropIn());
        Files.delete(root.resolve("run/ntp-monitor/boot"));
        systemctl.clear();
        run(job(FAST), Checks.none(clock.instant()));
        assertFalse(Files.exists(dropIn()), "the state before the boot does not carry power saving over");
        assertEquals(List.of(), systemctl.calls(), "nothing changed for the manager either");
        run(job(FAST), Checks.primary(clock.instant()));
        assertTrue(Files.exists(dropIn()));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());
    }

    @Test
    void fallbackSyncSteersTimesyncdAndPrimaryRecoveryUndoesIt() throws IOException {
        MonitorJob job = job(FAST + "ConservePowerOnFallback=yes\n");
        run(job, Checks.fallback(clock.instant()));
        run(job, Checks.fallback(clock.instant()));
        assertEquals("# Written by ntp-monitor: the primary NTP server is lost or wrong, and a fallback answers.\n"
                + "# Removed, and timesyncd restarted, when the primary is good again.\n"
                + "[Time]\nNTP=\nFallbackNTP=0.debian.pool.ntp.org 1.debian.pool.ntp.org 2.debian.pool.ntp.org\n",
                Files.readString(steering()));
        assertTrue(systemctl.calls().contains("try-restart systemd-timesyncd.service"), systemctl.calls().toString());
        assertTrue(Files.readString(dropIn()).contains("NTP_SERVER=0.debian.pool.ntp.org\n"));
        systemctl.clear();
        run(job, Checks.fallback(clock.instant()));
        assertEquals(List.of(), systemctl.calls());

        run(job, Checks.primary(clock.instant()));
        run(job, Checks.primary(clock.instant()));
        assertFalse(Files.exists(steering()));
        assertEquals(List.of("daemon-reload", "try-restart controller.service",
                "show systemd-timesyncd.service -p LoadState", "try-restart systemd-timesyncd.service"),
                systemctl.calls());
    }

    /** A check of the Pi Zero and a single pool server answering with these offsets, decided by the real selector. */
    private static CheckResult piZeroAndOnePoolServer(Duration piZero, Duration pool) {
        return dev.pintp.ntp.internal.SourceSelector.decide(List.of(Checks.ok(Checks.PRIMARY, piZero),
                Checks.ok(Checks.FALLBACK, pool)), dev.pintp.ntp.NtpConfig.ofDefaults(), Checks.T0,
                Duration.ofMillis(5));
    }

    @Test
    void aWrongPiZeroAgainstASinglePoolServerSteersTimesyncdToThePoolWithoutPowerSaving() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.primary(clock.instant()));
        assertTrue(Files.exists(dropIn()));
        assertFalse(Files.exists(steering()));
        systemctl.clear();
        // 5 s ahead and no majority: both are falsetickers, the verdict UNSYNCHRONIZED
        CheckResult wrong = piZeroAndOnePoolServer(Duration.ofSeconds(5), Duration.ofMillis(1));
        assertEquals(dev.pintp.ntp.Verdict.UNSYNCHRONIZED, wrong.verdict());
        run(job, wrong);
        assertFalse(Files.exists(dropIn()), "no power saving");
        assertTrue(Files.readString(steering()).contains("NTP=\nFallbackNTP=0.debian.pool.ntp.org"));
        assertEquals(List.of("daemon-reload", "try-restart controller.service",
                "show systemd-timesyncd.service -p LoadState", "try-restart systemd-timesyncd.service"),
                systemctl.calls());
        assertTrue(logText().contains("timesyncd pointed at the fallbacks"), logText());

        systemctl.clear();
        run(job, piZeroAndOnePoolServer(Duration.between(Checks.T0, java.time.Instant.parse("2000-01-01T00:00:00Z")),
                Duration.ofMillis(1)));
        assertFalse(Files.exists(dropIn()));
        assertTrue(Files.exists(steering()));
        assertEquals(List.of(), systemctl.calls(), "still wrong: nothing to change");

        run(job, piZeroAndOnePoolServer(Duration.ofMillis(1), Duration.ofMillis(2)));
        assertTrue(Files.exists(dropIn()), "the Pi Zero agrees again");
        assertFalse(Files.exists(steering()));
    }

    @Test
    void aPiZeroThatAgreesWithThePoolWhileThisClockIsOffGetsTimesyncdBack() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.fallback(clock.instant())); // the Pi Zero dead: timesyncd on the pool
        assertTrue(Files.exists(steering()));
        systemctl.clear();
        CheckResult clockOff = piZeroAndOnePoolServer(Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertEquals(dev.pintp.ntp.Verdict.UNSYNCHRONIZED, clockOff.verdict());
        run(job, clockOff);
        assertFalse(Files.exists(dropIn()), "no power saving while this clock is off");
        assertFalse(Files.exists(steering()), "the Pi Zero is right: timesyncd back on it, to converge");
        assertEquals(List.of("show systemd-timesyncd.service -p LoadState", "try-restart systemd-timesyncd.service"),
                systemctl.calls());
        assertTrue(logText().contains("timesyncd back on its configured servers: the primary agrees"), logText());
    }

    @Test
    void withoutTimesyncdTheJobSaysSoOnceAndDoesNotSteer() throws IOException {
        systemctl.property("systemd-timesyncd.service", "LoadState", "not-found");
        MonitorJob job = job(FAST);
        for (int i = 0; i < 4; i++) {
            run(job, Checks.fallback(clock.instant()));
        }
        run(job(FAST), Checks.fallback(clock.instant()));
        assertFalse(Files.exists(steering()));
        assertEquals(1, systemctl.calls().stream().filter(c -> c.startsWith("show systemd-timesyncd")).count());
        assertEquals(1, logText().lines().filter(l -> l.contains("systemd-timesyncd is not installed")).count());
        assertFalse(systemctl.calls().contains("try-restart systemd-timesyncd.service"));
    }

    @Test
    void steeringCanBeSwitchedOff() throws IOException {
        MonitorJob job = job(FAST + "[Timesyncd]\nSteering=no\n");
        run(job, Checks.fallback(clock.instant()));
        run(job, Checks.fallback(clock.instant()));
        assertFalse(Files.exists(steering()));
        assertFalse(systemctl.calls().contains("try-restart systemd-timesyncd.service"));
    }

    @Test
    void aFallbackOnlySyncDoesNotSavePowerByDefault() throws IOException {
        // The mission: power saving only while the time is verified against the Pi Zero (the primary).
        MonitorJob job = job(FAST);
        run(job, Checks.fallback(clock.instant()));
        run(job, Checks.fallback(clock.instant()));
        assertFalse(Files.exists(dropIn()));
        assertFalse(systemctl.calls().contains("try-restart controller.service"), systemctl.calls().toString());
        assertTrue(Files.exists(steering()), "timesyncd is still steered to the pool");
    }

    @Test
    void aSecondRunWaitsForTheLockHeldByAnotherRun() throws Exception {
        MonitorJob job = job(FAST);
        run(job, Checks.primary(clock.instant())); // creates the runtime directory
        Path lockFile = root.resolve("run/ntp-monitor/lock");
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock held = ch.lock();
            int checksBefore = checker.checks;
            CountDownLatch started = new CountDownLatch(1);
            Future<Integer> second = ex.submit(() -> {
                started.countDown();
                return job.runOnce();
            });
            started.await();
            // the second run cannot check while the lock is held
            assertFalse(waitFor(() -> checker.checks > checksBefore, 500), "ran while the lock was held");
            assertTrue(waitFor(() -> logText().contains("another run holds"), 30_000), logText());
            held.release();
            assertEquals(0, second.get(5, TimeUnit.SECONDS));
            assertEquals(checksBefore + 1, checker.checks);
        } finally {
            ex.shutdownNow();
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    @Test
    void logLinesCarryPriorityPrefixesOnlyForTheJournal() throws IOException {
        MonitorJob job = job(FAST);
        run(job, Checks.primary(clock.instant()));
        assertTrue(logText().lines().anyMatch(l -> l.startsWith("<6>check PRIMARY_SYNCED via 192.168.4.2")), logText());
        assertTrue(logText().lines().anyMatch(l -> l.startsWith("<7>source ")), logText());
        journal.capture(false, JournalSink.INFO);
        run(job, Checks.primary(clock.instant()));
        assertTrue(logText().startsWith("check PRIMARY_SYNCED"), logText());
        assertFalse(logText().contains("source "), "no debug lines at INFO");
    }

    @Test
    void theTextfileCollectorFileIsWrittenWhenConfigured() throws IOException {
        MonitorJob job = job(FAST + "[Metrics]\nTextfilePath=/var/lib/node_exporter/ntp-monitor.prom\n");
        run(job, Checks.primary(clock.instant()));
        String text = Files.readString(root.resolve("var/lib/node_exporter/ntp-monitor.prom"));
        assertTrue(text.contains("\nntp_verdict{verdict=\"PRIMARY_SYNCED\"} 1\n"), text);
        assertTrue(text.contains("\nntp_power_saving 1\n"), text);
        assertTrue(text.contains("\nntp_offset_seconds{server=\"192.168.4.2\"} 0.001\n"), text);
        assertTrue(text.contains("\nntp_source_usable{server=\"192.168.4.2\",role=\"primary\","
                + "address=\"127.0.0.2:123\",outcome=\"OK\"} 1\n"), text);
        run(job, Checks.none(clock.instant()));
        assertTrue(Files.readString(root.resolve("var/lib/node_exporter/ntp-monitor.prom"))
                .contains("\nntp_power_saving 0\n"));
    }

    @Test
    void aSteadySystemDoesNotRewriteThePersistentState() throws IOException {
        MonitorJob job = job(FAST);
        for (int i = 0; i < 3; i++) {
            run(job, Checks.primary(clock.instant()));
        }
        Path state = root.resolve("var/lib/ntp-monitor/sync-state");
        var before = Files.getLastModifiedTime(state);
        Files.setLastModifiedTime(state, java.nio.file.attribute.FileTime.fromMillis(0));
        run(job, Checks.primary(clock.instant()));
        assertEquals(0, Files.getLastModifiedTime(state).toMillis(), "rewritten although nothing changed " + before);
    }
}
