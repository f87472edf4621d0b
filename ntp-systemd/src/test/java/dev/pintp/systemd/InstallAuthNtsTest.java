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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code install --auth nts} under a temporary root: the printed steps, and nothing secret written. */
class InstallAuthNtsTest {
    @TempDir
    Path root;

    private int install(ByteArrayOutputStream out, String... auth) throws IOException {
        Path jar = root.resolve("ntp-systemd.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "[Servers]\nPrimary=pi-ntp.lan\nFallback=\n");
        String[] base = {"install", "--dry-run", "--root", root.toString(), "--jar", jar.toString(), "--systemctl",
            "/bin/false"};
        String[] args = new String[base.length + auth.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(auth, 0, args, base.length, auth.length);
        return SystemdMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), Map.of());
    }

    @Test
    void printsThePiZerosChronyLinesAndTheJobsSettingForTheConfiguredPrimary() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, install(out, "--auth", "nts"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("NTS for pi-ntp.lan"), text);
        assertTrue(text.contains("subjectAltName=DNS:pi-ntp.lan"), "the certificate names the configured primary");
        assertTrue(text.contains("ntsserverkey /etc/chrony/nts.key\n") && text.contains("ntsservercert /etc/chrony/nts.crt\n"), text);
        assertTrue(text.contains("PrimaryNts=yes\n") && text.contains("NtsCa=/etc/ntp-monitor/nts-ca.pem\n"), text);
        assertFalse(Files.exists(root.resolve("etc/ntp-monitor/nts-ca.pem")), "nothing is written for NTS");
    }

    @Test
    void anUnknownAuthKindIsAUsageError() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(2, install(out, "--auth", "tls"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("error: --auth must be key or nts, was 'tls'\n"),
                out.toString(StandardCharsets.UTF_8));
    }
}
