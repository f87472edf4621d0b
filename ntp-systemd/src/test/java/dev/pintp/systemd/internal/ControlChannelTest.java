package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default install's request channel on real FIFOs in a temporary directory: what the daemon accepts, and the
 * client (the launcher's {@code daemon JAR request}) against a {@link CheckServer} in this JVM.
 */
class ControlChannelTest {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");

    @TempDir
    Path tmp;
    private Path dir;
    private Path launcher;
    private final ByteArrayOutputStream own = new ByteArrayOutputStream();
    private final ExecutorService ex = Executors.newCachedThreadPool();

    @BeforeEach
    void makeTheDirectory() throws IOException, InterruptedException {
        dir = tmp.resolve("control");
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        mkfifo(dir.resolve("request"), "0600");
        launcher = tmp.resolve("pintp-java");
        Files.writeString(launcher, Render.launcher());
    }

    @AfterEach
    void restoreTheJournalSink() {
        ex.shutdownNow();
        JournalSink.configure(System.out, false, JournalSink.INFO);
    }

    private static void mkfifo(Path p, String mode) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder("mkfifo", "-m", mode, p.toString()).inheritIO().start();
        assertEquals(0, pr.waitFor());
    }

    @Test
    void aRequestIsCheckAndDigitsAndNothingElse() {
        assertEquals(Optional.of("1234"), ControlChannel.parse("check 1234"));
        assertEquals(Optional.of("1"), ControlChannel.parse("check 1"));
        assertEquals(Optional.of("4294967295"), ControlChannel.parse("check 4294967295"));
        for (String bad : List.of("", "check", "check ", "check 12345678901", "check ../../etc/passwd",
                "check /tmp/x", "check 12 ", " check 12", "check 12\r", "check 1/2", "check -1", "CHECK 1",
                "check 1 2", "check \u0661", "run 12", "check 12".repeat(20))) {
            assertEquals(Optional.empty(), ControlChannel.parse(bad), bad);
        }
    }

    @Test
    void theDirectoryAndTheRequestFifoMustBePrivateFifosOfOursAndNoLinks() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(assertThrows(IOException.class, () -> ControlChannel.open(dir)).getMessage()
                .contains("open to group or others"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));

        Path link = tmp.resolve("link");
        Files.createSymbolicLink(link, dir);
        assertTrue(assertThrows(IOException.class, () -> ControlChannel.open(link)).getMessage()
                .contains("is not a directory"));

        Path request = dir.resolve("request");
        Files.delete(request);
        Files.writeString(request, "");
        Files.setPosixFilePermissions(request, PosixFilePermissions.fromString("rw-------"));
        assertTrue(assertThrows(IOException.class, () -> ControlChannel.open(dir)).getMessage()
                .contains("is not a FIFO"));

        Files.delete(request);
        Path elsewhere = tmp.resolve("fifo");
        mkfifo(elsewhere, "0600");
        Files.createSymbolicLink(request, elsewhere);
        assertTrue(assertThrows(IOException.class, () -> ControlChannel.open(dir)).getMessage()
                .contains("is not a FIFO"));

        Files.delete(request);
        mkfifo(request, "0620");
        assertTrue(assertThrows(IOException.class, () -> ControlChannel.open(dir)).getMessage()
                .contains("open to group or others"));
    }

    @Test
    void aReplyIsOnlyAFifoInTheDirectoryNamedByDigitsNeverALinkOrAFile() throws Exception {
        try (ControlChannel ch = ControlChannel.open(dir)) {
            Path elsewhere = tmp.resolve("elsewhere");
            mkfifo(elsewhere, "0600");
            Files.createSymbolicLink(dir.resolve("reply.1"), elsewhere);
            assertThrows(IOException.class, () -> ch.reply("1"));
            Files.writeString(dir.resolve("reply.2"), "");
            assertThrows(IOException.class, () -> ch.reply("2"));
            assertThrows(IOException.class, () -> ch.reply("3")); // the client is gone
            assertThrows(IllegalArgumentException.class, () -> ch.reply("../elsewhere"));
            mkfifo(dir.resolve("reply.4"), "0600");
            ControlChannel.Reply r = ch.reply("4");
            r.finish(0);
            assertFalse(Files.exists(dir.resolve("reply.4")), "removed once answered");
        }
    }

    /** A daemon in this JVM whose check logs {@code lines} and returns {@code status}. */
    private Future<Integer> serve(ControlChannel ch, IntSupplier check) {
        CheckServer.Router router = new CheckServer.Router(new PrintStream(own, true, StandardCharsets.UTF_8), false);
        JournalSink.configure(router, true, JournalSink.INFO);
        CheckServer server = new CheckServer(ch, check, () -> Duration.ofHours(1), router);
        return ex.submit(server::run);
    }

    record Client(int exit, String out, String err) {
    }

    private Client client(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", launcher.toString(), "daemon", tmp.resolve("ntp-systemd.jar")
                .toString(), "request");
        pb.environment().remove("JOURNAL_STREAM");
        pb.environment().put("JAVA", "/bin/false");
        pb.environment().put("PINTP_CONTROL_DIR", dir.toString());
        pb.environment().putAll(env);
        Path out = tmp.resolve("client.out");
        Path err = tmp.resolve("client.err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the client did not end");
        return new Client(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theClientPrintsTheChecksJournalLinesAndExitsWithItsStatus() throws Exception {
        AtomicInteger status = new AtomicInteger();
        ControlChannel ch = ControlChannel.open(dir);
        try {
            Future<Integer> served = serve(ch, () -> {
                LOG.info("check primary pi-ntp: offset +0.4 ms");
                LOG.error("a line with\na newline and a \u0001 control");
                return status.get();
            });
            for (int s : new int[] {0, 1, 2}) {
                status.set(s);
                Client journal = client(Map.of("JOURNAL_STREAM", "8:1234"));
                assertEquals(s, journal.exit(), journal.toString());
                assertEquals("<6>check primary pi-ntp: offset +0.4 ms\n<3>a line with a newline and a \\x01 control\n",
                        journal.out());
                assertEquals("", journal.err());
            }
            status.set(0);
            Client terminal = client(Map.of());
            assertEquals(0, terminal.exit(), terminal.toString());
            assertEquals("check primary pi-ntp: offset +0.4 ms\na line with a newline and a \\x01 control\n",
                    terminal.out());
            assertEquals("daemon started: a check for each request in " + dir + ", and on its own after 3600 s without"
                    + " one\n", own.toString(StandardCharsets.UTF_8), "the checks' lines went to the clients only");
            try (var files = Files.list(dir)) {
                assertEquals(List.of(dir.resolve("request")), files.toList(), "no reply FIFO left");
            }
            ch.close();
            assertEquals(0, served.get(10, TimeUnit.SECONDS), "closing the channel ends serving");
        } finally {
            ch.close();
        }
    }

    @Test
    void theClientFailsWhenNoDaemonIsThereOrItDoesNotAnswerInTime() throws Exception {
        Files.delete(dir.resolve("request"));
        // 4, not 1: the fail-safe tells the client's own failures from a check that failed closed (1, 2)
        Client none = client(Map.of("PINTP_DAEMON_WAIT", "0"));
        assertEquals(4, none.exit(), none.toString());
        assertTrue(none.err().contains("run failed: the daemon ntp-monitor-daemon.service is not running"), none.err());

        mkfifo(dir.resolve("request"), "0600");
        CountDownLatch release = new CountDownLatch(1);
        try (ControlChannel ch = ControlChannel.open(dir)) {
            serve(ch, () -> {
                LOG.info("started");
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            });
            Client late = client(Map.of("PINTP_REQUEST_TIMEOUT", "2", "JOURNAL_STREAM", "8:1"));
            assertEquals(4, late.exit(), late.toString());
            assertEquals("<6>started\n<3>run failed: the daemon did not answer within 2 s\n", late.out());
            release.countDown();
        }
    }

    @Test
    void requestsThatAreNotCheckAndDigitsAreIgnoredAndTheNextGoodOneIsServed() throws Exception {
        List<String> checks = new ArrayList<>();
        try (ControlChannel ch = ControlChannel.open(dir)) {
            serve(ch, () -> {
                checks.add("check");
                return 0;
            });
            Path elsewhere = tmp.resolve("elsewhere");
            mkfifo(elsewhere, "0600");
            String junk = "check ../elsewhere\n" + "x".repeat(5000) + "\ncheck 1 2\n\u0001\n";
            Files.writeString(dir.resolve("request"), junk); // opened for writing: the daemon holds the read end
            Client good = client(Map.of("JOURNAL_STREAM", "8:1"));
            assertEquals(0, good.exit(), good.toString());
            assertEquals(List.of("check"), checks, "one check, for the good request only");
            String log = own.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("ignored a request that is not 'check ID': 'check ../elsewhere'"), log);
            assertTrue(log.contains("(cut, longer than 64 bytes)"), log);
            assertTrue(log.contains("ignored a request that is not 'check ID': 'check 1 2'"), log);
            assertTrue(log.contains("ignored a request that is not 'check ID': '\\x01'"), log);
        }
    }

    @Test
    void aReplyIsBoundedAndStillEndsWithTheStatus() throws Exception {
        try (ControlChannel ch = ControlChannel.open(dir)) {
            serve(ch, () -> {
                for (int i = 0; i < 2000; i++) {
                    LOG.info("line {} of a check that says far too much", i);
                }
                return 2;
            });
            Client c = client(Map.of("JOURNAL_STREAM", "8:1"));
            assertEquals(2, c.exit(), c.toString());
            assertTrue(c.out().getBytes(StandardCharsets.UTF_8).length < ControlChannel.MAX_REPLY, c.out().length()
                    + " bytes");
            assertTrue(c.out().endsWith("<4>reply cut: more than " + ControlChannel.MAX_REPLY + " bytes\n"));
            assertTrue(c.out().startsWith("<6>line 0 of a check that says far too much\n"));
        }
    }

    @Test
    void withoutARequestForTheIdleTimeTheDaemonChecksOnItsOwnIntoItsOwnJournal() throws Exception {
        CountDownLatch checked = new CountDownLatch(2);
        try (ControlChannel ch = ControlChannel.open(dir)) {
            CheckServer.Router router = new CheckServer.Router(new PrintStream(own, true, StandardCharsets.UTF_8),
                    true);
            JournalSink.configure(router, true, JournalSink.INFO);
            CheckServer server = new CheckServer(ch, () -> {
                LOG.info("checked");
                checked.countDown();
                return 0;
            }, () -> Duration.ofMillis(50), router);
            Future<Integer> served = ex.submit(server::run);
            assertTrue(checked.await(30, TimeUnit.SECONDS));
            server.stop(Duration.ofSeconds(10));
            assertEquals(0, served.get(10, TimeUnit.SECONDS));
            String log = own.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("<4>no check was requested for 0 s (is ntp-monitor.timer stopped?): checking"
                    + " without a request\n<6>checked\n"), log);
        }
    }

    @Test
    void aDaemonWhoseJarWasReplacedEndsAfterAnsweringSoThatSystemdStartsTheNewOne() throws Exception {
        try (ControlChannel ch = ControlChannel.open(dir)) {
            CheckServer.Router router = new CheckServer.Router(new PrintStream(own, true, StandardCharsets.UTF_8),
                    true);
            JournalSink.configure(router, true, JournalSink.INFO);
            AtomicInteger checks = new AtomicInteger();
            CheckServer server = new CheckServer(ch, () -> {
                checks.incrementAndGet();
                return 0;
            }, () -> Duration.ofHours(1), router, () -> checks.get() >= 2);
            Future<Integer> served = ex.submit(server::run);
            assertEquals(0, client(Map.of()).exit());
            assertFalse(served.isDone(), "the jar is the same: still serving");
            Client last = client(Map.of());
            assertEquals(0, last.exit(), "the request is answered first: " + last);
            assertEquals(CheckServer.REPLACED, served.get(30, TimeUnit.SECONDS));
            assertTrue(own.toString(StandardCharsets.UTF_8).contains(
                    "<6>the jar was replaced: ending, to be started again with the new one\n"));
        }
    }
}
