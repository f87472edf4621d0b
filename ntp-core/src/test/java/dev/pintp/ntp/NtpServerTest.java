package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NtpServerTest {
    static final NtpServer.Role P = NtpServer.Role.PRIMARY;

    @Test
    void parsesNamesAddressesAndPorts() {
        assertEquals(new NtpServer("192.168.4.2", 123, P), NtpServer.parse("192.168.4.2", 123, P));
        assertEquals(new NtpServer("192.168.4.2", 1123, P), NtpServer.parse(" 192.168.4.2:1123 ", 123, P));
        assertEquals(new NtpServer("0.debian.pool.ntp.org", 123, P), NtpServer.parse("0.debian.pool.ntp.org", 123, P));
        assertEquals(new NtpServer("::1", 123, P), NtpServer.parse("::1", 123, P));
        assertEquals(new NtpServer("2001:db8::1", 4123, P), NtpServer.parse("[2001:db8::1]:4123", 123, P));
        assertEquals(new NtpServer("2001:db8::1", 123, P), NtpServer.parse("[2001:db8::1]", 123, P));
        assertEquals("[2001:db8::1]:4123", NtpServer.parse("[2001:db8::1]:4123", 123, P).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "pool .ntp.org", "pool\t.ntp.org", "pool.ntp.org\u0000", "host:", "host:0",
        "host:65536", "host:x", "[::1", "[::1]x", "[::1]:", "[]:123", "a b:123"})
    void rejectsWhatIsNotAServerWithAMessageForAUser(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NtpServer.parse(text, 123, P));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void theConstructorRejectsWhiteSpaceAnywhereInTheHost() {
        // A host with a space could never resolve, and would break the state files, whose values are space-free.
        assertThrows(IllegalArgumentException.class, () -> new NtpServer("pool .ntp.org", 123, P));
        assertThrows(IllegalArgumentException.class, () -> new NtpServer("pool.ntp.org\n", 123, P));
        assertThrows(IllegalArgumentException.class, () -> new NtpServer("host", 0, P));
        assertThrows(NullPointerException.class, () -> new NtpServer(null, 123, P));
    }

    @Test
    void parseAllKeepsOrderDropsRepeatsAndTheExcludedServers() {
        NtpServer pizero = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
        List<NtpServer> out = NtpServer.parseAll(List.of("Pool.Example", "192.168.4.2:123", "pool.example:123",
                "other:1123"), 123, NtpServer.Role.FALLBACK, List.of(pizero));
        assertEquals(List.of(new NtpServer("Pool.Example", 123, NtpServer.Role.FALLBACK),
                new NtpServer("other", 1123, NtpServer.Role.FALLBACK)), out);
    }

    @Test
    void parseAllRejectsABadServerWithItsText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NtpServer.parseAll(List.of("ok", "bad:port"), 123, NtpServer.Role.PRIMARY, List.of()));
        assertTrue(e.getMessage().contains("bad:port"), e.getMessage());
    }
}
