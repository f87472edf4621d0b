package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.SntpClient;
import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.internal.SymmetricKeyAuthenticator;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The attacker relay on loopback: an unauthenticated client believes the shifted time, a keyed one refuses it. */
class ForgingUdpRelayTest {
    private static final NtpKey KEY = new NtpKey(1, NtpKeyType.AES128, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
        12, 13, 14, 15, 16});
    private static final QueryOptions ONE = new QueryOptions(1, Duration.ofSeconds(2), Duration.ofSeconds(5));

    @Test
    void forgedTimeIsBelievedWithoutAKeyAndRefusedWithOne() throws Exception {
        SymmetricKeyAuthenticator signer = new SymmetricKeyAuthenticator(KEY);
        try (SntpTestServer server = SntpTestServer.start();
                ForgingUdpRelay relay = new ForgingUdpRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        server.address(), 4.0)) {
            server.finisher((request, reply) -> request.length > 48 ? signer.begin(reply).request() : reply);
            QueryResult plain = SntpClient.ofDefaults().query(relay.address(), ONE);
            assertEquals(Outcome.OK, plain.outcome(), plain::toString);
            double offset = plain.best().orElseThrow().offset().toNanos() / 1e9;
            double bound = plain.best().orElseThrow().delay().toNanos() / 2e9 + 0.001;
            assertEquals(4.0, offset, bound, "the forged offset is used");

            QueryResult keyed = SntpClient.ofDefaults().query(relay.address(), ONE.withAuth(NtpAuth.symmetricKey(KEY)));
            assertEquals(Outcome.REJECTED, keyed.outcome(), keyed::toString);
            assertEquals(DropReason.BAD_MAC, keyed.reason().orElseThrow());
        }
    }

    @Test
    void zeroTimestampsStayZero() {
        byte[] d = new byte[48];
        d[47] = 1;
        byte[] f = ForgingUdpRelay.forge(d, 1L << 32);
        assertEquals(0, f[16] | f[20] | f[35]);
        assertEquals(1, f[43]);
    }

    @Test
    void stripKeepsOnlyTheShiftedHeader() {
        byte[] d = new byte[48 + 24];
        d[43] = 1; // transmit timestamp: 1 s
        d[50] = 7; // a MAC's bytes
        byte[] f = ForgingUdpRelay.forge(d, 4L << 32, true);
        assertEquals(48, f.length);
        assertEquals(5, f[43]);
        assertEquals(72, ForgingUdpRelay.forge(d, 4L << 32, false).length);
    }
}
