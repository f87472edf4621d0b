package dev.pintp.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdMainTest {
    @TempDir
    Path root;

    @Test
    void aBadConfigurationFileStopsTheRunBeforeItChangesAnything() throws Exception {
        Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, "[Service]\nEnvironment=CONSERVE_POWER=1\n");
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Decision]\nMinDwell=forever\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = SystemdMain.run(new String[] {"run", "--root", root.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of("JOURNAL_STREAM", "8:1234"));
        assertEquals(2, status);
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.startsWith("<3>configuration error, nothing changed: " + conf + ":2: MinDwell: "), log);
        assertEquals("[Service]\nEnvironment=CONSERVE_POWER=1\n", Files.readString(dropIn));
        assertTrue(Files.notExists(root.resolve("var/lib/ntp-monitor")), "no state written");
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
