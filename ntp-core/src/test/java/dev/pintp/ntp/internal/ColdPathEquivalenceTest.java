package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.pintp.ntp.NtpServer;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The hand-written replacements of start-up-costly library calls give what the library calls gave. */
class ColdPathEquivalenceTest {

    @Test
    void ntpEpochIsTheParsedInstant() {
        assertEquals(Instant.parse("1900-01-01T00:00:00Z"), NtpTimestamps.NTP_EPOCH);
    }

    @Property
    void hex32IsStringFormat(@ForAll int raw) {
        assertEquals(String.format("0x%08x", raw), ReplyCheck.hex32(raw));
    }

    @Test
    void aNonAsciiReferenceIdIsHex() {
        assertEquals("0x7f7f0101", ReplyCheck.asciiCode(0x7F7F_0101));
        assertEquals("0x00000001", ReplyCheck.asciiCode(0x0000_0001));
    }

    @Property
    void ntpServerEqualityIsComponentWise(@ForAll boolean sameHost, @ForAll boolean samePort,
            @ForAll boolean sameRole) {
        NtpServer a = new NtpServer("a.example", 123, NtpServer.Role.PRIMARY);
        NtpServer b = new NtpServer(sameHost ? new String("a.example") : "b.example", samePort ? 123 : 124,
                sameRole ? NtpServer.Role.PRIMARY : NtpServer.Role.FALLBACK);
        if (sameHost && samePort && sameRole) {
            assertEquals(a, b);
            assertEquals(a.hashCode(), b.hashCode());
        } else {
            assertNotEquals(a, b);
        }
        assertNotEquals(a, null);
        assertNotEquals(a, (Object) "a.example:123");
    }
}
