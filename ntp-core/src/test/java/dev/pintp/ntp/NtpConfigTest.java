package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NtpConfigTest {

    @Test
    void defaults() {
        NtpConfig c = NtpConfig.ofDefaults();
        assertEquals(List.of(new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY)), c.primaries());
        assertEquals(List.of("0.debian.pool.ntp.org", "1.debian.pool.ntp.org", "2.debian.pool.ntp.org"),
                c.fallbacks().stream().map(NtpServer::host).toList());
        assertEquals(Duration.ofSeconds(1), c.timeout());
        assertEquals(Duration.ofSeconds(2), c.checkDeadline());
        assertEquals(Duration.ofSeconds(5), c.maxRootDistance());
        assertEquals(Duration.ofMillis(128), c.maxOffset());
        assertEquals(Duration.ofSeconds(60), c.checkInterval());
        assertEquals(4, c.primarySamples());
        assertEquals(1, c.fallbackSamples());
        assertEquals(2, c.checksToGain());
        assertEquals(2, c.checksToLose());
        assertEquals(Duration.ofMinutes(3), c.minDwell());
        assertEquals(4, c.maxAddressesPerName());
    }

    @Test
    void badValuesAreRejectedAtOnce() {
        NtpConfig.Builder b = NtpConfig.custom();
        assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.checkDeadline(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.maxOffset(Duration.ofHours(2)));
        assertThrows(IllegalArgumentException.class, () -> b.checksToGain(0));
        assertThrows(IllegalArgumentException.class, () -> b.primaryHosts("bad host:99999"));
        assertThrows(IllegalArgumentException.class, () -> b.driftAlertPpm(Double.NaN));
    }

    @Test
    void badCombinationsAreRejectedAtBuild() {
        assertThrows(IllegalArgumentException.class,
                () -> NtpConfig.custom().timeout(Duration.ofSeconds(3)).checkDeadline(Duration.ofSeconds(2)).build());
        assertThrows(IllegalArgumentException.class,
                () -> NtpConfig.custom().primaries(List.of()).fallbacks(List.of()).build());
        assertThrows(IllegalArgumentException.class,
                () -> NtpConfig.custom().primaryHosts("a.test").fallbackHosts("a.test").build());
    }

    @Test
    void toBuilderKeepsEveryValue() {
        NtpConfig c = NtpConfig.custom().checkDeadline(Duration.ofSeconds(3)).maxOffset(Duration.ofMillis(50))
                .build();
        assertEquals(c.toString(), c.toBuilder().build().toString());
    }
}
