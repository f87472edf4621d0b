package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.RejectReason;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A keyed exchange against random trailers and mutated signed answers: nothing throws, and nothing but the genuine
 * answer passes, whatever ReplyCheck is given.
 */
class SymmetricKeyAuthenticatorPropertyTest {

    @Property(tries = 3000)
    void randomTrailersNeverPass(@ForAll NtpKeyType type, @ForAll @Size(max = 120) byte[] trailer,
            @ForAll boolean keepKeyId) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(SymmetricKeyAuthenticatorTest.key(type, 7));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(Packets.NONCE, a.requestVersion()));
        Packets p = new Packets();
        p.version = a.requestVersion();
        byte[] b = Arrays.copyOf(p.bytes(), 48 + trailer.length / 4 * 4);
        System.arraycopy(trailer, 0, b, 48, b.length - 48);
        if (keepKeyId && b.length >= 52) {
            b[48] = 0;
            b[49] = 0;
            b[50] = 0;
            b[51] = 7;
        }
        ReplyCheck.Result r = ReplyCheck.check(b, b.length, Packets.SERVER, Packets.expect(), ex);
        assertTrue(r instanceof ReplyCheck.Dropped, () -> String.valueOf(r));
        RejectReason reason = ((ReplyCheck.Dropped) r).reason();
        assertInstanceOf(DropReason.class, reason);
    }

    @Property(tries = 3000)
    void mutatedSignedAnswersNeverPass(@ForAll NtpKeyType type, @ForAll @IntRange(min = 0, max = 83) int at,
            @ForAll @IntRange(min = 1, max = 255) int xor, @ForAll @IntRange(min = -8, max = 8) int resize) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(SymmetricKeyAuthenticatorTest.key(type, 7));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(Packets.NONCE, a.requestVersion()));
        byte[] genuine = SymmetricKeyAuthenticatorTest.signedReply(ex.request(), a);
        byte[] b = Arrays.copyOf(genuine, Math.max(0, genuine.length + resize / 4 * 4));
        if (at < b.length) {
            b[at] ^= (byte) xor;
        }
        if (Arrays.equals(b, genuine)) {
            return;
        }
        ReplyCheck.Result r = ReplyCheck.check(b, b.length, Packets.SERVER, Packets.expect(), ex);
        assertFalse(r instanceof ReplyCheck.Accepted, () -> "accepted a forgery at byte " + at);
    }
}
