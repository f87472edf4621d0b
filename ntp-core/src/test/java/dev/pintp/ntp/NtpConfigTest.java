package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(new FlapDamping(Duration.ofMinutes(15), 1000, 2000, 500, Duration.ofHours(1)), c.flapDamping());
        assertEquals(4, c.maxAddressesPerName());
    }

    @Test
    void badValuesAreRejectedAtOnce() {
        NtpConfig.Builder b = NtpConfig.custom();
        assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.checkDeadline(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.maxOffset(Duration.ofHours(2)));
        assertThrows(NullPointerException.class, () -> b.flapDamping(null));
        assertThrows(IllegalArgumentException.class, () -> b.primaryHosts("bad host"));
        assertThrows(IllegalArgumentException.class, () -> b.primaryHosts("host:99999"));
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
        // Every value differs from its default, so a field that toBuilder() forgot would show.
        NtpConfig c = NtpConfig.custom().primaryHosts("192.0.2.9:1123").fallbackHosts("pool.test")
                .timeout(Duration.ofMillis(700)).checkDeadline(Duration.ofSeconds(3)).primarySamples(2)
                .fallbackSamples(2).maxRootDistance(Duration.ofSeconds(2)).maxOffset(Duration.ofMillis(50))
                .checkInterval(Duration.ofSeconds(30))
                .flapDamping(new FlapDamping(Duration.ofMinutes(5), 7, 30, 4, Duration.ofMinutes(20)))
                .maxAddressesPerName(2).driftAlertOffset(Duration.ofMillis(300)).driftAlertPpm(42).build();
        String defaults = NtpConfig.ofDefaults().toString();
        String[] fields = c.toString().replaceAll("^NtpConfig\\{|\\}$", "").split(", (?=[a-zA-Z]+=)");
        assertEquals(17, fields.length, c.toString());
        for (String field : fields) {
            assertTrue(!defaults.contains(field), "not a default value: " + field);
        }
        assertEquals(c.toString(), c.toBuilder().build().toString());
    }

    @Test
    void flapDampingRejectsBadValuesAndCombinations() {
        Duration m15 = Duration.ofMinutes(15);
        Duration h1 = Duration.ofHours(1);
        assertThrows(IllegalArgumentException.class, () -> new FlapDamping(Duration.ZERO, 1000, 2000, 500, h1));
        assertThrows(IllegalArgumentException.class, () -> new FlapDamping(m15, 0, 2000, 500, h1));
        assertThrows(IllegalArgumentException.class, () -> new FlapDamping(m15, 1000, 2000, 0, h1));
        assertThrows(IllegalArgumentException.class, () -> new FlapDamping(m15, 1000, 500, 500, h1),
                "suppress must lie above reuse");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FlapDamping(m15, 2000, 2000, 500, h1));
        assertTrue(e.getMessage().contains("a single outage would hold its own regain back"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new FlapDamping(m15, 1000, 2000, 500, Duration.ofMinutes(30)));
        assertTrue(e.getMessage().contains("ceiling 2000"), e.getMessage());
        assertEquals(8000, FlapDamping.DEFAULTS.ceiling(), 1e-9);
    }
}
