package dev.pintp.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.SntpClient;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.time.Duration;
import java.util.Map;
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
}
