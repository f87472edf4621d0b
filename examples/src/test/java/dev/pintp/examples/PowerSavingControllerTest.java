package dev.pintp.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.examples.PowerSavingController.PowerMode;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpMonitor;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class PowerSavingControllerTest {

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void modeFollowsThePiZeroLiveWithoutARestart() throws Exception {
        try (SntpTestServer piZero = SntpTestServer.start().localClock(1)) {
            NtpConfig config = NtpConfig.custom()
                    .primaryHosts("127.0.0.1:" + piZero.port())
                    .fallbacks(List.of())
                    .timeout(Duration.ofMillis(200))
                    .checkDeadline(Duration.ofMillis(500))
                    .checkInterval(Duration.ofSeconds(1))
                    .build();
            try (PowerSavingController controller = new PowerSavingController(NtpMonitor.create(config))) {
                assertEquals(PowerMode.FULL_POWER, controller.mode());
                controller.start();
                await(() -> controller.mode() == PowerMode.SAVE_HIGH, "power saving once the Pi Zero answers");

                piZero.drop(true);
                await(() -> controller.mode() == PowerMode.FULL_POWER, "full power once the Pi Zero is silent");

                piZero.drop(false);
                piZero.offset(Duration.ofMillis(40));
                await(() -> controller.mode() == PowerMode.SAVE_MEDIUM, "medium saving at a 40 ms offset");
            }
        }
    }

    @Test
    void argumentsNameThePrimaryThenTheFallbacks() {
        NtpConfig c = PowerSavingController.configFrom(new String[] {"127.0.0.1:1123", "pool.test"});
        assertEquals(1123, c.primaries().get(0).port());
        assertEquals("pool.test", c.fallbacks().get(0).host());
        assertEquals(NtpConfig.ofDefaults().primaries(), PowerSavingController.configFrom(new String[0]).primaries());
    }

    @Test
    void mainRunsAsAProcessAndChecksThePrimaryItIsGiven() throws Exception {
        // Only a primary on the command line: no fallbacks, so nothing is resolved or sent beyond loopback.
        try (SntpTestServer piZero = SntpTestServer.start().localClock(1)) {
            ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin"
                    + File.separator + "java", "-cp", System.getProperty("java.class.path"),
                    PowerSavingController.class.getName(), "127.0.0.1:" + piZero.port());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copy(p.getInputStream(), out));
            reader.start();
            try {
                await(() -> piZero.requestCount() >= 4, "the first check's burst of 4 to the primary");
                await(() -> output(out).contains("controller running"), "the start-up line");
                assertTrue(p.isAlive(), "runs until stopped: " + output(out));
            } finally {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                }
                reader.join(5000);
            }
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static String output(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
