package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncQualityTest {
    final NtpConfig config = NtpConfig.ofDefaults();

    @ParameterizedTest(name = "offset {0} ms, root distance {1} ms -> {2}")
    @CsvSource({
        "0, 0, HIGH",
        "16, 100, HIGH",
        "-16, 100, HIGH",
        "17, 0, MEDIUM",
        "0, 101, MEDIUM",
        "64, 1000, MEDIUM",
        "-65, 0, LOW",
        "0, 1001, LOW",
        "128, 5000, LOW",
    })
    void levelFromOffsetAndRootDistance(long offsetMs, long distanceMs, SyncQuality expected) {
        NtpSample s = Fixtures.sample(Fixtures.addr("192.0.2.2"), Duration.ofMillis(offsetMs),
                Duration.ofMillis(distanceMs), Duration.ofMillis(distanceMs));
        assertEquals(expected, SyncQuality.of(s, config));
    }
}
