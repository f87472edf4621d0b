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
    void unknownCommandsAndOptionsAreUsageErrors() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(2, SystemdMain.run(new String[] {"frobnicate", "--root", root.toString()}, ps, Map.of()));
        assertEquals(2, SystemdMain.run(new String[] {"install", "--bogus"}, ps, Map.of()));
        assertEquals(2, SystemdMain.run(new String[] {}, ps, Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: ntp-systemd.jar"));
    }
}
