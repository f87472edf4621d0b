package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyncEnvironmentTest {

    @Test
    void theDropInsVariablesReadAsSynced() {
        SyncEnvironment env = SyncEnvironment.from(Map.of("CONSERVE_POWER", "1", "NTP_SYNCED", "true",
                "NTP_SERVER", "192.168.4.2", "NTP_SYNC_LEVEL", "3"));
        assertTrue(env.conservePower());
        assertTrue(env.ntpSynced());
        assertEquals(Optional.of("192.168.4.2"), env.ntpServer());
        assertEquals(SyncQuality.HIGH, env.level());
        assertTrue(env.maySavePower());
    }

    @Test
    void anEmptyEnvironmentIsOff() {
        SyncEnvironment env = SyncEnvironment.from(Map.of());
        assertFalse(env.maySavePower());
        assertEquals(Optional.empty(), env.ntpServer());
        assertEquals(SyncQuality.NONE, env.level());
    }

    @Test
    void valuesAreComparedExactlyLikeTheOriginalController() {
        assertFalse(SyncEnvironment.from(Map.of("CONSERVE_POWER", "yes", "NTP_SYNCED", "true")).maySavePower());
        assertFalse(SyncEnvironment.from(Map.of("CONSERVE_POWER", "1", "NTP_SYNCED", "TRUE")).maySavePower());
        assertFalse(SyncEnvironment.from(Map.of("CONSERVE_POWER", "1")).maySavePower(), "both are needed");
    }

    @Test
    void blankServerAndInvalidLevelsAreAbsent() {
        SyncEnvironment env = SyncEnvironment.from(Map.of("NTP_SERVER", "  ", "NTP_SYNC_LEVEL", "7"));
        assertEquals(Optional.empty(), env.ntpServer());
        assertEquals(SyncQuality.NONE, env.level());
        assertEquals(SyncQuality.LOW, SyncEnvironment.from(Map.of("NTP_SYNC_LEVEL", " 1 ")).level());
        assertEquals(SyncQuality.NONE, SyncEnvironment.from(Map.of("NTP_SYNC_LEVEL", "two")).level());
    }
}
