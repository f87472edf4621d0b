package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.SyncState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run that cannot do its job ends power saving: the drop-in removed, the controller try-restarted, the reason
 * logged at err, a non-zero result. The configuration is loopback only; the checks are scripted.
 */
class FailClosedTest {
    // Loopback only, should a real checker ever be built from it (port 9: discard, nothing listens).
    private static final String LOOPBACK = "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n[Timesyncd]\nSteering=no\n";

    @TempDir
    Path root;
    final RecordingSystemctl systemctl = new RecordingSystemctl();
    final TestClock clock = new TestClock(Checks.T0);
    @RegisterExtension
    final JournalCapture journal = new JournalCapture(true, JournalSink.DEBUG);
    /** What the next check does; by default a good answer from the primary. */
    volatile Supplier<CheckResult> next = () -> Checks.primary(clock.instant());
    volatile int checks;
    final NtpChecker checker = new NtpChecker() {
        @Override
        public CheckResult check() {
            checks++;
            return next.get();
        }

        @Override
        public BackoffState backoffState() {
            return BackoffState.empty();
        }
    };

    private MonitorJob job() {
        return job(Duration.ofSeconds(5));
    }

    private MonitorJob job(Duration lockWait) {
        return new MonitorJob(Fixtures.settings(root, LOOPBACK), root, systemctl, new AtomicFiles(), clock,
                b -> checker, AlertSink.NONE, t -> { }, lockWait);
    }

    private Path dropIn() {
        return root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
    }

    private Path state(String name) {
        return root.resolve("var/lib/ntp-monitor").resolve(name);
    }

    private String logText() {
        return journal.text();
    }

    private List<String> errors() {
        return logText().lines().filter(l -> l.startsWith("<3>")).toList();
    }

    /** Runs good checks, a minute apart, until the drop-in is in place (the hysteresis decides how many). */
    private MonitorJob powerSaving() throws IOException {
        MonitorJob job = job();
        for (int i = 0; i < 10 && !Files.exists(dropIn()); i++) {
            clock.advance(Duration.ofMinutes(1));
            assertEquals(0, job.runOnce());
        }
        assertTrue(Files.exists(dropIn()), "power saving was granted");
        assertTrue(Files.readString(dropIn()).contains("CONSERVE_POWER=1"));
        systemctl.clear();
        journal.reset();
        return job;
    }

    private int runAgain(MonitorJob job) {
        clock.advance(Duration.ofMinutes(1));
        return job.runOnce();
    }

    private void assertPowerSavingEnded(String reason) {
        assertFalse(Files.exists(dropIn(), LinkOption.NOFOLLOW_LINKS), "the drop-in is gone");
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());
        assertEquals(1, errors().size(), logText());
        String line = errors().get(0);
        assertTrue(line.startsWith("<3>run failed, no power saving: "), line);
        assertTrue(line.contains(reason), line);
        assertTrue(line.endsWith("; removed /run/systemd/system/controller.service.d/ntp-environment.conf, "
                + "restarted controller.service"), line);
    }

    private List<Path> corruptCopies(String name) throws IOException {
        try (Stream<Path> s = Files.list(state(name).getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + ".corrupt-")).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync-state", "backoff-state", "applied"})
    void aCorruptStateFileIsMovedAsideAndTheRunEndsPowerSaving(String name) throws IOException {
        MonitorJob job = powerSaving();
        Files.writeString(state(name), "garbage\n");
        int checksBefore = checks;
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded("corrupt state file " + state(name));
        assertTrue(errors().get(0).contains("moved to " + name + ".corrupt-20261125T"), errors().get(0));
        assertEquals(checksBefore, checks, "no check on a state the job cannot read");
        List<Path> copies = corruptCopies(name);
        assertEquals(1, copies.size());
        assertEquals("garbage\n", Files.readString(copies.get(0)), "kept for inspection");
        assertEquals(name.equals("sync-state"), SyncState.initial().encode().equals(Files.readString(state("sync-state"))),
                "the initial state replaces the corrupt part only");

        systemctl.clear();
        assertEquals(0, runAgain(job), "the next run starts from the initial state");
    }

    @Test
    void aCorruptDriftHistoryIsMovedAsideToo() throws IOException {
        MonitorJob job = powerSaving();
        Path drift = root.resolve("run/ntp-monitor/drift-history");
        Files.writeString(drift, "not a drift history");
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded("corrupt state file " + drift);
        try (Stream<Path> s = Files.list(drift.getParent())) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("drift-history.corrupt-")).count());
        }
    }

    @Test
    void aSymlinkedStateFileIsCorruptAndItsTargetIsNeitherReadNorTouched() throws IOException {
        MonitorJob job = powerSaving();
        // a valid state, but behind a link: the job never reads through one
        Path target = root.resolve("elsewhere");
        Files.copy(state("sync-state"), target);
        String content = Files.readString(target);
        Files.delete(state("sync-state"));
        Files.createSymbolicLink(state("sync-state"), target);
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded("corrupt state file " + state("sync-state") + " (a symlink");
        List<Path> copies = corruptCopies("sync-state");
        assertEquals(1, copies.size());
        assertTrue(Files.isSymbolicLink(copies.get(0)), "the link itself was moved aside");
        assertEquals(content, Files.readString(target));
        assertTrue(Files.isRegularFile(state("sync-state"), LinkOption.NOFOLLOW_LINKS), "a real file again");
    }

    @Test
    void aStateFileThatIsADirectoryOrTooLargeIsCorrupt() throws IOException {
        MonitorJob job = powerSaving();
        Files.delete(state("backoff-state"));
        Files.createDirectory(state("backoff-state"));
        Files.write(state("applied"), new byte[StateStore.MAX_STATE_BYTES + 1]);
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded("(a directory, not a file)");
        assertTrue(errors().get(0).contains("corrupt state file " + state("applied") + " (larger than 65536 bytes)"),
                errors().get(0));
        assertEquals(1, corruptCopies("backoff-state").size());
        assertEquals(1, corruptCopies("applied").size());
    }

    @Test
    void aStateFileThatIsNotUtf8IsCorrupt() throws IOException {
        MonitorJob job = powerSaving();
        Files.write(state("sync-state"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x', '\n'});
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded("(not UTF-8 text)");
    }

    @Test
    void aPersistentlyCorruptFileKeepsOnlyTheNewestCopies() throws IOException {
        MonitorJob job = job();
        for (int i = 0; i < 6; i++) {
            Files.createDirectories(state("sync-state").getParent());
            Files.writeString(state("sync-state"), "garbage " + i + "\n");
            assertEquals(1, runAgain(job));
        }
        List<Path> copies = corruptCopies("sync-state");
        assertEquals(StateStore.CORRUPT_COPIES, copies.size(), copies.toString());
        List<String> contents = copies.stream().map(p -> {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).sorted().toList();
        assertEquals(List.of("garbage 3\n", "garbage 4\n", "garbage 5\n"), contents, "the newest are kept");
    }

    @Test
    void anExceptionInTheCheckEndsPowerSaving() throws IOException {
        MonitorJob job = powerSaving();
        next = () -> {
            throw new IllegalStateException("resolver exploded");
        };
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded("the check failed: unexpected java.lang.IllegalStateException: resolver exploded");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a job that waits for the stuck check
    void aCheckPastItsDeadlineEndsPowerSavingAndIsNotStartedTwice() throws Exception {
        MonitorJob job = powerSaving();
        job.checkGrace(Duration.ofMillis(200));
        CountDownLatch release = new CountDownLatch(1);
        next = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Checks.primary(clock.instant());
        };
        try {
            int checksBefore = checks;
            assertEquals(1, runAgain(job));
            assertPowerSavingEnded("the check did not finish within 2.200 s (its deadline 2 s plus 0.200 s)");
            systemctl.clear();
            journal.reset();
            assertEquals(1, runAgain(job));
            assertEquals(checksBefore + 1, checks, "the stuck check is not started again");
            assertTrue(errors().get(0).contains("the previous check has still not finished"), logText());
            assertTrue(errors().get(0).endsWith("; no drop-in was in place"), logText());
            assertEquals(List.of(), systemctl.calls(), "already off: no second restart");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aFileThatCannotBeWrittenEndsPowerSaving() throws IOException {
        MonitorJob job = powerSaving();
        // the runtime directory becomes a file: the lock cannot be created
        Path runtime = root.resolve("run/ntp-monitor");
        try (Stream<Path> s = Files.list(runtime)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(runtime);
        Files.writeString(runtime, "not a directory");
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded(runtime.toString());
    }

    @Test
    void aLockHeldTooLongEndsPowerSaving() throws IOException {
        powerSaving();
        MonitorJob job = job(Duration.ofMillis(300));
        try (FileChannel ch = FileChannel.open(root.resolve("run/ntp-monitor/lock"), StandardOpenOption.WRITE)) {
            FileLock held = ch.lock();
            try {
                assertEquals(1, runAgain(job));
            } finally {
                held.release();
            }
        }
        assertFalse(Files.exists(dropIn()));
        assertTrue(errors().get(0).contains("another run held " + root.resolve("run/ntp-monitor/lock")), logText());
    }

    @Test
    void aSymlinkedLockIsMovedAsideNotFollowed() throws IOException {
        MonitorJob job = powerSaving();
        Path target = root.resolve("precious");
        Files.writeString(target, "keep");
        Path lock = root.resolve("run/ntp-monitor/lock");
        Files.delete(lock);
        Files.createSymbolicLink(lock, target);
        assertEquals(0, runAgain(job));
        assertTrue(Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep", Files.readString(target));
    }

    @Test
    void whenTheRestartFailsTheNextFailingRunRetriesItAndAGoodRunRestoresPowerSaving() throws IOException {
        MonitorJob job = powerSaving();
        next = () -> {
            throw new IllegalStateException("boom");
        };
        systemctl.failNext(1, "daemon-reload");
        assertEquals(1, runAgain(job));
        assertFalse(Files.exists(dropIn()));
        assertTrue(errors().get(0).endsWith("removed /run/systemd/system/controller.service.d/ntp-environment.conf, "
                + "but systemctl failed (systemctl daemon-reload: exit status 1: Failed (scripted)); the next run "
                + "retries"), logText());
        systemctl.clear();
        journal.reset();
        assertEquals(1, runAgain(job));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls(),
                "the manager may still have the drop-in: restarted again");
        assertTrue(errors().get(0).endsWith("the drop-in was already gone, restarted controller.service"), logText());
        systemctl.clear();
        journal.reset();
        assertEquals(1, runAgain(job));
        assertEquals(List.of(), systemctl.calls(), "now known to be off: no restart storm");

        next = () -> Checks.primary(clock.instant());
        for (int i = 0; i < 10 && !Files.exists(dropIn()); i++) {
            assertEquals(0, runAgain(job));
        }
        assertTrue(Files.exists(dropIn()), "power saving comes back once checks verify the time");
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls());
    }

    @Test
    void aGoodRunAfterAFailureWithoutStateRestartsTheController() throws IOException {
        // A failed run that could not record what it did (no configuration: FailSafe) removed the drop-in and
        // restarted the controller; the state still says the drop-in is applied.
        MonitorJob job = powerSaving();
        Files.delete(dropIn());
        for (int i = 0; i < 10 && !Files.exists(dropIn()); i++) {
            assertEquals(0, runAgain(job));
        }
        assertTrue(Files.exists(dropIn()));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), systemctl.calls(),
                "the drop-in is back for the manager too");
    }

    @Test
    void theMetricsOfAFailedRunSayPowerSavingIsOff() throws IOException {
        java.util.concurrent.atomic.AtomicReference<String> served = new java.util.concurrent.atomic.AtomicReference<>();
        MonitorJob job = new MonitorJob(Fixtures.settings(root, LOOPBACK
                + "[Metrics]\nTextfilePath=/var/lib/node_exporter/ntp-monitor.prom\n"), root, systemctl,
                new AtomicFiles(), clock, b -> checker, AlertSink.NONE, served::set, Duration.ofSeconds(5));
        Path prom = root.resolve("var/lib/node_exporter/ntp-monitor.prom");
        for (int i = 0; i < 10 && !Files.exists(dropIn()); i++) {
            assertEquals(0, runAgain(job));
        }
        assertTrue(Files.readString(prom).contains("\nntp_power_saving 1\n"));
        next = () -> {
            throw new IllegalStateException("boom");
        };
        assertEquals(1, runAgain(job));
        String text = Files.readString(prom);
        assertTrue(text.contains("\nntp_power_saving 0\n"), text);
        assertTrue(text.contains("\nntp_run_failed_timestamp_seconds " + clock.instant().getEpochSecond() + "\n"),
                text);
        assertFalse(text.contains("ntp_verdict"), "no check to report: " + text);
        assertEquals(text, served.get(), "the daemon serves the same");
    }

    @Test
    void statusShowsTheFailedRunAndACorruptFileWithoutMovingIt() throws IOException {
        MonitorJob job = powerSaving();
        next = () -> {
            throw new IllegalStateException("boom");
        };
        assertEquals(1, runAgain(job));
        Files.writeString(state("backoff-state"), "garbage\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StatusReport.print(Fixtures.settings(root, LOOPBACK), root, systemctl,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("(corrupt state file " + state("backoff-state")), text);
        assertTrue(text.contains("last check:    " + clock.instant() + " failed: the check failed: unexpected "
                + "java.lang.IllegalStateException: boom\ndrop-in: "), text);
        assertTrue(text.contains("(absent: no power saving)"), text);
        assertEquals("garbage\n", Files.readString(state("backoff-state")), "status moves nothing");
        assertEquals(List.of(), corruptCopies("backoff-state"));
    }

    @Test
    void aDropInThatIsASymlinkIsRemovedNotFollowed() throws IOException {
        MonitorJob job = powerSaving();
        Path target = root.resolve("elsewhere.conf");
        Files.move(dropIn(), target);
        Files.createSymbolicLink(dropIn(), target);
        assertEquals(1, runAgain(job));
        assertPowerSavingEnded("not a regular file");
        assertTrue(Files.readString(target).contains("CONSERVE_POWER=1"), "the target is left alone");
    }

    @Test
    void statusShowsADropInThatIsASymlinkInsteadOfFailing() throws IOException {
        powerSaving();
        Path target = root.resolve("elsewhere.conf");
        Files.move(dropIn(), target);
        Files.createSymbolicLink(dropIn(), target);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StatusReport.print(Fixtures.settings(root, LOOPBACK), root, systemctl,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("drop-in:       /run/systemd/system/controller.service.d/ntp-environment.conf "
                + "(unreadable: "), text);
        assertTrue(text.contains("timer:         ntp-monitor.timer"), "the whole report: " + text);
    }

    @Test
    void aFailureWithNothingInPlaceCallsNoSystemctl() throws IOException {
        MonitorJob job = job();
        next = () -> {
            throw new IllegalStateException("boom");
        };
        assertEquals(1, runAgain(job));
        assertEquals(List.of(), systemctl.calls());
        assertTrue(errors().get(0).endsWith("; no drop-in was in place"), logText());
        assertTrue(Files.readString(root.resolve("run/ntp-monitor/last-check")).contains("result=failed: "),
                "status shows the failure");
    }
}
