package dev.pintp.ntp.internal.nts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * NTS extension fields (RFC 8915 section 5) on hand-built packets: the request's layout, a reply built as a server
 * would (the test plays chronyd's part with the same AEAD), every refusal, and random and mutated replies.
 */
class NtsPacketTest {
    static final byte[] C2S = filled(32, 1);
    static final byte[] S2C = filled(32, 2);
    static final byte[] UID = filled(32, 3);

    @Test
    void theRequestHasUniqueIdCookiePlaceholdersAndAnAuthenticatorOverAllBefore() {
        byte[] header = new byte[48];
        header[0] = 0x23;
        byte[] cookie = filled(100, 7);
        byte[] nonce = filled(16, 9);
        byte[] p = NtsPacket.request(header, UID, cookie, 2, C2S, nonce);
        assertEquals(48 + 36 + 104 + 2 * 104 + 40, p.length);
        assertEquals(0x0104, u16(p, 48));
        assertEquals(36, u16(p, 50));
        assertArrayEquals(UID, Arrays.copyOfRange(p, 52, 84));
        assertEquals(0x0204, u16(p, 84));
        assertArrayEquals(cookie, Arrays.copyOfRange(p, 88, 188));
        assertEquals(0x0304, u16(p, 188));
        assertArrayEquals(new byte[100], Arrays.copyOfRange(p, 192, 292));
        int auth = 48 + 36 + 104 * 3;
        assertEquals(0x0404, u16(p, auth));
        assertEquals(40, u16(p, auth + 2));
        assertEquals(16, u16(p, auth + 4));
        assertEquals(16, u16(p, auth + 6));
        assertArrayEquals(nonce, Arrays.copyOfRange(p, auth + 8, auth + 24));
        byte[] tag = Arrays.copyOfRange(p, auth + 24, auth + 40);
        assertArrayEquals(new byte[0], NtsAead.open(C2S, nonce, tag, Arrays.copyOf(p, auth)).orElseThrow());
    }

    @Test
    void anAuthenticReplyGivesItsNewCookies() {
        byte[] reply = reply(UID, S2C, List.of(filled(100, 5), filled(100, 6)), false);
        NtsPacket.Authentic a = assertInstanceOf(NtsPacket.Authentic.class,
                NtsPacket.check(reply, reply.length, UID, S2C));
        assertEquals(2, a.cookies().size());
        assertArrayEquals(filled(100, 6), a.cookies().get(1));
    }

    @Test
    void refusals() {
        byte[] good = reply(UID, S2C, List.of(filled(100, 5)), false);
        assertInvalid(reply(UID, C2S, List.of(), false), "does not verify");
        assertInvalid(reply(filled(32, 4), S2C, List.of(), false), "not ours");
        byte[] altered = good.clone();
        altered[45] ^= 1;
        assertInvalid(altered, "does not verify");
        assertInvalid(Arrays.copyOf(good, 48 + 36), "no NTS Authenticator");
        assertInvalid(Arrays.copyOf(good, 48), "a plain answer, without NTS fields");
        assertInvalid(Arrays.copyOf(good, good.length - 4), "bad length");
        assertInvalid(Arrays.copyOf(good, good.length + 2), "stray bytes");
        assertInvalid(Arrays.copyOf(good, 40), "shorter than an NTP header");
        byte[] kissWithoutUid = Arrays.copyOf(good, 48);
        kissWithoutUid[1] = 0;
        System.arraycopy("NTSN".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, kissWithoutUid, 12, 4);
        assertInvalid(kissWithoutUid, "a plain answer, without NTS fields"); // a forged NAK is not one
    }

    @Test
    void aNakNeedsOurUniqueIdentifier() {
        byte[] nak = nak(UID);
        assertInstanceOf(NtsPacket.Nak.class, NtsPacket.check(nak, nak.length, UID, S2C));
        byte[] other = nak(filled(32, 8));
        assertInvalid(other, "not ours");
        byte[] rate = nak(UID);
        rate[12] = 'R';
        assertInvalid(rate, "no NTS Authenticator");
    }

    @Property(tries = 2000)
    void randomDatagramsAreNeverAccepted(@ForAll @Size(max = 1100) byte[] data,
            @ForAll @IntRange(min = 0, max = 1100) int length) {
        NtsPacket.Reply r = NtsPacket.check(data, Math.min(length, data.length), UID, S2C);
        assertInstanceOf(NtsPacket.Invalid.class, r);
    }

    /** Any changed byte of an authentic reply makes it invalid: everything up to the tag is authenticated. */
    @Property(tries = 3000)
    void aChangedByteIsNeverAccepted(@ForAll("mutations") byte[] mutated) {
        NtsPacket.Reply r = NtsPacket.check(mutated, mutated.length, UID, S2C);
        assertInstanceOf(NtsPacket.Invalid.class, r, () -> "accepted " + r);
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        byte[] good = reply(UID, S2C, List.of(filled(100, 5)), false);
        return Arbitraries.integers().between(0, good.length - 1).flatMap(at -> Arbitraries.integers()
                .between(1, 255).map(x -> {
                    byte[] m = good.clone();
                    m[at] ^= (byte) (int) x;
                    return m;
                }));
    }

    private static void assertInvalid(byte[] reply, String reason) {
        NtsPacket.Reply r = NtsPacket.check(reply, reply.length, UID, S2C);
        NtsPacket.Invalid i = assertInstanceOf(NtsPacket.Invalid.class, r, r.toString());
        assertTrue(i.reason().contains(reason), i.reason());
    }

    /** A server's reply: header, Unique Identifier, Authenticator whose encrypted part holds the cookies. */
    static byte[] reply(byte[] uid, byte[] key, List<byte[]> cookies, boolean unused) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[48];
        header[0] = 0x24;
        header[1] = 1;
        out.write(header, 0, 48);
        field(out, 0x0104, uid);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (byte[] c : cookies) {
            field(plain, 0x0204, c);
        }
        byte[] nonce = filled(16, 11);
        byte[] sealed = NtsAead.seal(key, nonce, plain.toByteArray(), out.toByteArray());
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.write(0);
        auth.write(16);
        auth.write(sealed.length >>> 8);
        auth.write(sealed.length);
        auth.write(nonce, 0, 16);
        auth.write(sealed, 0, sealed.length);
        while (auth.size() % 4 != 0) {
            auth.write(0);
        }
        field(out, 0x0404, auth.toByteArray());
        return out.toByteArray();
    }

    static byte[] nak(byte[] uid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[48];
        header[0] = 0x24;
        System.arraycopy("NTSN".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, header, 12, 4);
        out.write(header, 0, 48);
        field(out, 0x0104, uid);
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, int type, byte[] body) {
        int len = 4 + ((body.length + 3) & ~3);
        out.write(type >>> 8);
        out.write(type);
        out.write(len >>> 8);
        out.write(len);
        out.write(body, 0, body.length);
        for (int i = body.length; i < len - 4; i++) {
            out.write(0);
        }
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
