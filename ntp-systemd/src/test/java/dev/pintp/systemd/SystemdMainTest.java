package dev.pintp.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdMainTest {
    @TempDir
    Path root;

    private static final String ON = "# Written by ntp-monitor: the time is verified, the controller may save power.\n"
            + "# Removed when that stops being true. Do not edit: the next run rewrites it.\n"
            + "[Service]\n"
            + "Environment=CONSERVE_POWER=1\n"
            + "Environment=NTP_SYNCED=true\n"
            + "Environment=NTP_SERVER=192.168.4.2\n"
            + "Environment=NTP_SYNC_LEVEL=3\n";

    /** A stand-in systemctl that records its arguments (never the host's), failing while {@code fail} exists. */
    private Path systemctl() throws IOException {
        Path bin = root.resolve("bin/systemctl");
        Files.createDirectories(bin.getParent());
        Files.writeString(bin, "#!/bin/sh\necho \"$*\" >> '" + calls() + "'\n[ -e '" + root.resolve("bin/fail")
                + "' ] && { echo 'Failed to connect to bus' >&2; exit 1; }\nexit 0\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private Path calls() {
        return root.resolve("bin/calls");
    }

    /** The recorded calls, without a {@code --} before unit names. */
    private List<String> recorded() throws IOException {
        if (!Files.exists(calls())) {
            return List.of();
        }
        return Files.readAllLines(calls()).stream().map(l -> l.replace(" -- ", " ")).toList();
    }

    private String runJob(ByteArrayOutputStream out, int expected) throws IOException {
        int status = SystemdMain.run(new String[] {"run", "--root", root.toString(), "--systemctl",
                systemctl().toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("JOURNAL_STREAM", "8:1234"));
        String log = out.toString(StandardCharsets.UTF_8);
        assertEquals(expected, status, log);
        return log;
    }

    private String failSafe(Map<String, String> env) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("JOURNAL_STREAM", "8:1234");
        int status = SystemdMain.run(new String[] {"fail-safe", "--root", root.toString(), "--systemctl",
                systemctl().toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), all);
        String log = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, log);
        return log;
    }

    @Test
    void theFailSafeAfterAKilledRunRemovesTheDropInRestartsTheControllerAndSaysWhy() throws Exception {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n[Timesyncd]\nSteering=no\n");
        Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, ON);
        String log = failSafe(Map.of("SERVICE_RESULT", "signal", "EXIT_CODE", "killed", "EXIT_STATUS", "KILL"));
        assertEquals("<3>run failed, no power saving: the run did not finish (systemd: result signal, killed KILL); "
                + "removed /run/systemd/system/controller.service.d/ntp-environment.conf, restarted controller.service\n",
                log);
        assertFalse(Files.exists(dropIn));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), recorded());
    }

    @Test
    void theFailSafeAfterAGoodOrSelfFailedRunDoesNothingNotEvenReadTheConfiguration() throws Exception {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Bogus]\nKey=1\n"); // would fail closed if it were read
        Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, ON);
        assertEquals("", failSafe(Map.of("SERVICE_RESULT", "success", "EXIT_CODE", "exited", "EXIT_STATUS", "0")));
        assertEquals("", failSafe(Map.of("SERVICE_RESULT", "exit-code", "EXIT_CODE", "exited", "EXIT_STATUS", "1")));
        assertEquals("", failSafe(Map.of("SERVICE_RESULT", "exit-code", "EXIT_CODE", "exited", "EXIT_STATUS", "2")));
        assertTrue(Files.exists(dropIn));
        assertEquals(List.of(), recorded());
    }

    @Test
    void theFailSafeWithAnUnreadableConfigurationStillEndsPowerSavingEverywhere() throws Exception {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Bogus]\nKey=1\n");
        Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, ON);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = SystemdMain.run(new String[] {"fail-safe", "--root", root.toString(), "--systemctl",
                systemctl().toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("JOURNAL_STREAM", "8:1234", "SERVICE_RESULT", "timeout", "EXIT_CODE", "killed",
                        "EXIT_STATUS", "TERM"));
        String log = out.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, log);
        assertTrue(log.startsWith("<3>run failed, no power saving: the run did not finish (systemd: result timeout, "
                + "killed TERM); configuration error: " + conf + ":2: Key: "), log);
        assertFalse(Files.exists(dropIn));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), recorded());
    }

    @Test
    void aBadConfigurationFileEndsPowerSavingBeforeAnythingElse() throws Exception {
        // today's content or not: the default drop-in is removed whatever it holds
        Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, "[Service]\nEnvironment=CONSERVE_POWER=1\n");
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n[NoSuchSection]\nKey=1\n");
        String log = runJob(new ByteArrayOutputStream(), 2);
        assertTrue(log.startsWith("<3>run failed, no power saving: configuration error: " + conf + ":5: Key: "), log);
        assertTrue(log.endsWith("; removed /run/systemd/system/controller.service.d/ntp-environment.conf, "
                + "restarted controller.service\n"), log);
        assertEquals(1, log.lines().count(), log);
        assertFalse(Files.exists(dropIn));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), recorded());
        assertTrue(Files.notExists(root.resolve("var/lib/ntp-monitor")), "no state written");
        try (Stream<Path> s = Files.list(dropIn.getParent())) {
            assertEquals(List.of(), s.toList(), "nothing left behind once the restart worked");
        }
    }

    @Test
    void anInvalidTimesyncdValueEndsPowerSavingInEveryPlaceTheJobCouldHaveWrittenIt() throws Exception {
        // The job's configuration names another unit, drop-in and place, but is never read: timesyncd's is bad.
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n[Controller]\nUnit=robot.service\n"
                + "DropInName=50-time.conf\nDropInLocation=etc\n");
        Path timesyncd = root.resolve("etc/systemd/timesyncd.conf");
        Files.createDirectories(timesyncd.getParent());
        Files.writeString(timesyncd, "[Time]\nRootDistanceMaxSec=banana\n");
        Path ours = root.resolve("etc/systemd/system/robot.service.d/50-time.conf");
        Files.createDirectories(ours.getParent());
        Files.writeString(ours, ON);
        Path notOurs = root.resolve("etc/systemd/system/robot.service.d/10-limits.conf");
        Files.writeString(notOurs, "[Service]\nMemoryMax=100M\n");
        String log = runJob(new ByteArrayOutputStream(), 2);
        assertTrue(log.startsWith("<3>run failed, no power saving: configuration error: " + timesyncd + ":2: "), log);
        assertTrue(log.contains("RootDistanceMaxSec"), log);
        assertTrue(log.endsWith("; removed /etc/systemd/system/robot.service.d/50-time.conf, restarted robot.service\n"),
                log);
        assertFalse(Files.exists(ours));
        assertEquals("[Service]\nMemoryMax=100M\n", Files.readString(notOurs), "another drop-in is left alone");
        assertEquals(List.of("daemon-reload", "try-restart robot.service"), recorded());
    }

    @Test
    void anUnreadableConfigurationEndsPowerSaving() throws Exception {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n");
        Path dir = root.resolve("etc/systemd/timesyncd.conf.d/50-broken.conf");
        Files.createDirectories(dir); // a directory where a file belongs: it cannot be read
        Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, ON);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = SystemdMain.run(new String[] {"run", "--root", root.toString(), "--systemctl",
                systemctl().toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("JOURNAL_STREAM", "8:1234"));
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(status != 0, log);
        // the error names the drop-in that is not a file (issue 10: it used to fail without its name)
        assertTrue(log.startsWith("<3>run failed, no power saving: configuration error: " + dir
                + ": not a regular file (a directory)"), log);
        assertFalse(Files.exists(dropIn));
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), recorded());
    }

    @Test
    void withoutAConfigurationAFailedRestartIsRetriedByTheNextRun() throws Exception {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        // loopback only, should the file ever be accepted
        Files.writeString(conf, "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n[Bogus]\nKey=1\n");
        Path dropIn = root.resolve("etc/systemd/system/controller.service.d/ntp-environment.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, ON);
        systemctl();
        Files.writeString(root.resolve("bin/fail"), "");
        String log = runJob(new ByteArrayOutputStream(), 2);
        assertTrue(log.contains("; removed /etc/systemd/system/controller.service.d/ntp-environment.conf, but "
                + "systemctl failed ("), log);
        assertTrue(log.endsWith("; the next run retries the restart\n"), log);
        assertFalse(Files.exists(dropIn), "gone from the place the manager reads at boot");

        Files.delete(root.resolve("bin/fail"));
        Files.delete(calls());
        log = runJob(new ByteArrayOutputStream(), 2);
        assertTrue(log.endsWith("; the drop-in was removed by an earlier run, restarted controller.service\n"), log);
        assertEquals(List.of("daemon-reload", "try-restart controller.service"), recorded());

        Files.delete(calls());
        log = runJob(new ByteArrayOutputStream(), 2);
        assertTrue(log.endsWith("; no drop-in was in place\n"), log);
        assertEquals(List.of(), recorded(), "then no restart every minute");
        try (Stream<Path> s = Files.list(dropIn.getParent())) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void helpIsAnswered() {
        for (String help : new String[] {"--help", "-h", "help"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, SystemdMain.run(new String[] {help}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    Map.of()), help);
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: ntp-systemd.jar"), help);
        }
    }

    @Test
    void anOptionOfAnotherCommandIsRefusedBeforeAnythingChanges() throws Exception {
        // loopback only, should the run ever happen (port 9: discard, nothing listens)
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Servers]\nPrimary=127.0.0.1:9\nFallback=\n[Timesyncd]\nSteering=no\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        // "run --dry-run" must not run for real
        assertEquals(2, SystemdMain.run(new String[] {"run", "--dry-run", "--root", root.toString()}, ps, Map.of()));
        assertEquals(2, SystemdMain.run(new String[] {"status", "--mac", "b8:27:eb:12:34:56", "--root",
                root.toString()}, ps, Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8)
                .startsWith("error: --dry-run applies only to install and uninstall, not to run\n"), out.toString());
        assertTrue(Files.notExists(root.resolve("var")), "no state written");
        assertTrue(Files.notExists(root.resolve("run")), "no drop-in or runtime state written");
    }

    @Test
    void aRootThatIsNotADirectoryIsAUsageError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path missing = root.resolve("no-such-image");
        assertEquals(2, SystemdMain.run(new String[] {"uninstall", "--dry-run", "--root", missing.toString(),
                "--systemctl", "/bin/false"}, new PrintStream(out, true, StandardCharsets.UTF_8), Map.of()));
        assertEquals("error: --root " + missing + ": not a directory\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(Files.notExists(missing));
    }

    @Test
    void aMissingJarIsNamedInWordsNotAsAnExceptionClass() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path jar = root.resolve("missing.jar");
        assertEquals(1, SystemdMain.run(new String[] {"install", "--root", root.toString(), "--jar", jar.toString(),
                "--systemctl", "/bin/false"}, new PrintStream(out, true, StandardCharsets.UTF_8), Map.of()));
        assertEquals("install failed: no such file or directory: " + jar + "\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("permission denied: /etc/x (install, uninstall and run need root)",
                SystemdMain.describe(new java.nio.file.AccessDeniedException("/etc/x")));
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(2, SystemdMain.run(new String[] {"frobnicate", "--root", root.toString()}, ps, Map.of()));
        assertEquals(2, SystemdMain.run(new String[] {"install", "--bogus"}, ps, Map.of()));
        assertEquals(2, SystemdMain.run(new String[] {}, ps, Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: ntp-systemd.jar"));
    }
}
