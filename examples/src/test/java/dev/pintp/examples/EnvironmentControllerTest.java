package dev.pintp.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.SntpClient;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnvironmentControllerTest {
    SntpTestServer piZero;

    @BeforeEach
    void start() {
        piZero = SntpTestServer.start().localClock(1);
    }

    @AfterEach
    void stop() {
        piZero.close();
    }

    Map<String, String> dropIn() {
        return Map.of("CONSERVE_POWER", "1", "NTP_SYNCED", "true", "NTP_SERVER", "127.0.0.1:" + piZero.port(),
                "NTP_SYNC_LEVEL", "2");
    }

    @Test
    void savesPowerAtTheLevelWhenTheServerConfirms() {
        EnvironmentController.Decision d = EnvironmentController.decide(dropIn(), SntpClient.ofDefaults());
        assertTrue(d.savePower(), d.reason());
        assertEquals(2, d.level());
        assertEquals(1, piZero.requestCount());
    }

    @Test
    void fullPowerWhenTheServerNoLongerAnswers() {
        piZero.drop(true);
        EnvironmentController.Decision d = EnvironmentController.decide(dropIn(), SntpClient.ofDefaults());
        assertFalse(d.savePower());
        assertTrue(d.reason().contains("TIMEOUT"), d.reason());
    }

    @Test
    void fullPowerWhenTheServerSaysTheClockIsOff() {
        piZero.offset(Duration.ofSeconds(2));
        assertFalse(EnvironmentController.decide(dropIn(), SntpClient.ofDefaults()).savePower());
    }

    @Test
    void fullPowerAndNoQueryWithoutTheDropIn() {
        EnvironmentController.Decision d = EnvironmentController.decide(Map.of(), SntpClient.ofDefaults());
        assertFalse(d.savePower());
        assertEquals(0, piZero.requestCount());
    }

    @Test
    void aMalformedServerVariableMeansFullPowerNotACrash() {
        Map<String, String> env = Map.of("CONSERVE_POWER", "1", "NTP_SYNCED", "true", "NTP_SERVER", "[::1",
                "NTP_SYNC_LEVEL", "2");
        EnvironmentController.Decision d = EnvironmentController.decide(env, SntpClient.ofDefaults());
        assertFalse(d.savePower());
        assertEquals(0, d.level());
        assertTrue(d.reason().contains("NTP_SERVER"), d.reason());
    }

    @Test
    void withoutALevelTheControllerSavesAtTheLowestLevelNotAtLevelZero() {
        Map<String, String> env = Map.of("CONSERVE_POWER", "1", "NTP_SYNCED", "true", "NTP_SERVER",
                "127.0.0.1:" + piZero.port());
        EnvironmentController.Decision d = EnvironmentController.decide(env, SntpClient.ofDefaults());
        assertTrue(d.savePower(), d.reason());
        assertEquals(1, d.level());
    }

    @Test
    void mainRunsAsAProcessWithTheDropInsEnvironment() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java", "-cp", System.getProperty("java.class.path"),
                EnvironmentController.class.getName());
        pb.environment().keySet().removeAll(List.of("CONSERVE_POWER", "NTP_SYNCED", "NTP_SERVER", "NTP_SYNC_LEVEL"));
        pb.environment().putAll(dropIn());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the example exits by itself");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.startsWith("power saving level 2: 127.0.0.1:" + piZero.port() + " confirms, offset "), out);
            assertEquals(1, piZero.requestCount());
        } finally {
            p.destroyForcibly();
        }
    }
}
