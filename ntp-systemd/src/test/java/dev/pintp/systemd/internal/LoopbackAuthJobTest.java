package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.internal.SymmetricKeyAuthenticator;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with {@code [Auth] PrimaryKey=} against a keyed in-process server on loopback: authentic answers give power
 * saving; forged ones (no MAC, or signed without the key) are never used, power saving goes off, and the log says why.
 */
class LoopbackAuthJobTest {
    private static final String HEX = "7EA62AE64D190114D46D5A082F948EC1";
    private static final NtpKey KEY = new NtpKey(1, NtpKeyType.AES128, HexFormat.of().parseHex(HEX));
    @TempDir
    Path root;
    @RegisterExtension
    final JournalCapture journal = new JournalCapture(false, JournalSink.INFO);

    @Test
    void forgedAnswersTurnPowerSavingOffAndTheLogSaysWhy() throws Exception {
        Path keys = Fixtures.write(root, "/etc/ntp-monitor/chrony.keys", "1 AES128 HEX:" + HEX + "\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        try (SntpTestServer pi = SntpTestServer.start()) {
            SymmetricKeyAuthenticator signer = new SymmetricKeyAuthenticator(KEY);
            pi.localClock(1).finisher((request, reply) -> signer.begin(reply).request());
            Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", "[Servers]\nPrimary=127.0.0.1:" + pi.port()
                    + "\nFallback=\nTimeout=300ms\nPrimarySamples=2\n[Auth]\nPrimaryKey=1\n");
            Settings s = Settings.load(root, Map.of());
            RecordingSystemctl systemctl = new RecordingSystemctl();
            MonitorJob job = new MonitorJob(s, root, systemctl, new AtomicFiles(), Clock.systemUTC(),
                    b -> NtpChecker.custom(s.ntp()).backoffState(b).build(), AlertSink.NONE, m -> { },
                    Duration.ofSeconds(5));
            assertEquals(0, job.runOnce());
            Path dropIn = root.resolve("run/systemd/system/controller.service.d/ntp-environment.conf");
            assertTrue(Files.readString(dropIn).contains("Environment=CONSERVE_POWER=1\n"));

            // The on-path attacker: answers 4 s off, signed with a key of the same id it guessed.
            SymmetricKeyAuthenticator forger = new SymmetricKeyAuthenticator(new NtpKey(1, NtpKeyType.AES128,
                    new byte[16]));
            pi.offset(Duration.ofSeconds(4)).finisher((request, reply) -> forger.begin(reply).request());
            assertEquals(0, job.runOnce());
            assertFalse(Files.exists(dropIn), "power saving is off");
            String text = journal.text();
            assertTrue(text.contains("REJECTED BAD_MAC (2 answer(s) failed authentication, none authentic: the MAC"
                    + " under key 1 does not verify)"), text);

            // Answers without any MAC: refused as unauthenticated.
            pi.finisher(null);
            journal.reset();
            assertEquals(0, job.runOnce());
            assertFalse(Files.exists(dropIn));
            assertTrue(journal.text().contains("REJECTED UNAUTHENTICATED (2 answer(s) failed"
                    + " authentication, none authentic: no MAC in the answer, expected one under key 1)"),
                    journal.text());
        }
    }
}
