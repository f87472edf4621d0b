package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real implementation against a stand-in {@code systemctl} script that records its arguments. */
class ProcessSystemctlTest {
    @TempDir
    Path dir;
    Path binary;
    Path log;

    @BeforeEach
    void script() throws IOException {
        binary = dir.resolve("systemctl");
        log = dir.resolve("calls");
        Files.writeString(binary, "#!/bin/sh\n"
                + "echo \"$*\" >> '" + log + "'\n"
                + "eval unit=\\${$#}\n"
                + "case \"$1 $unit\" in\n"
                + "  'show systemd-timesyncd.service') printf 'LoadState=not-found\\n' ;;\n"
                + "  'show controller.service') printf 'Environment=CONSERVE_POWER=1 NTP_SYNCED=true\\nActiveState=active\\n' ;;\n"
                + "  'try-restart missing.service') echo 'Failed to try-restart missing.service: Unit missing.service not found.' >&2; exit 5 ;;\n"
                + "  'start slow.service') sleep 30 ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void commandsAreRunWithTheirArguments() throws Exception {
        ProcessSystemctl s = new ProcessSystemctl(binary.toString(), Duration.ofSeconds(10));
        s.daemonReload();
        s.tryRestart("controller.service");
        s.stop("ntp-monitor.timer");
        assertEquals(List.of("daemon-reload", "try-restart -- controller.service", "stop -- ntp-monitor.timer"),
                Files.readAllLines(log));
    }

    @Test
    void aUnitNameThatLooksLikeAnOptionComesAfterDoubleDash() throws Exception {
        ProcessSystemctl s = new ProcessSystemctl(binary.toString(), Duration.ofSeconds(10));
        s.tryRestart("-Hroot@evil.service");
        s.start("--force.service");
        s.stop("-iX.service");
        s.show("-Hx.service", List.of("LoadState"));
        assertEquals(List.of("try-restart -- -Hroot@evil.service", "start -- --force.service", "stop -- -iX.service",
                "show -p LoadState -- -Hx.service"), Files.readAllLines(log));
    }

    @Test
    void showIsParsedIntoProperties() throws Exception {
        ProcessSystemctl s = new ProcessSystemctl(binary.toString(), Duration.ofSeconds(10));
        assertEquals(Map.of("Environment", "CONSERVE_POWER=1 NTP_SYNCED=true", "ActiveState", "active"),
                s.show("controller.service", List.of("Environment", "ActiveState")));
        assertEquals("show -p Environment,ActiveState -- controller.service", Files.readAllLines(log).get(0));
        assertFalse(s.isInstalled("systemd-timesyncd.service"));
    }

    @Test
    void aNonZeroExitIsAnExceptionWithTheCommandAndItsOutput() {
        ProcessSystemctl s = new ProcessSystemctl(binary.toString(), Duration.ofSeconds(10));
        SystemctlException e = assertThrows(SystemctlException.class, () -> s.tryRestart("missing.service"));
        assertEquals(binary + " try-restart -- missing.service: exit status 5: "
                + "Failed to try-restart missing.service: Unit missing.service not found.", e.getMessage());
    }

    // repeated: the kill closes the output stream, and the reader's "Stream closed" raced with the timeout message
    @RepeatedTest(8)
    void aHangingSystemctlIsKilledAfterTheTimeout() {
        ProcessSystemctl s = new ProcessSystemctl(binary.toString(), Duration.ofMillis(300));
        SystemctlException e = assertThrows(SystemctlException.class, () -> s.start("slow.service"));
        assertEquals(binary + " start -- slow.service: no answer within 300 ms, killed", e.getMessage());
    }

    @Test
    void aMissingBinaryIsAnException() {
        ProcessSystemctl s = new ProcessSystemctl(dir.resolve("nope").toString(), Duration.ofSeconds(1));
        SystemctlException e = assertThrows(SystemctlException.class, s::daemonReload);
        assertTrue(e.getMessage().contains("cannot run"), e.getMessage());
    }
}
