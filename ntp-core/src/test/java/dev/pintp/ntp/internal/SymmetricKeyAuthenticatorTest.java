package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.DropReason;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** chrony's MAC rules (keys.c, ntp_auth.c) for each key type, and every refusal. */
class SymmetricKeyAuthenticatorTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A key of {@code type} with id 7 and deterministic bytes. */
    static NtpKey key(NtpKeyType type, long id) {
        byte[] secret = new byte[type.isCipher() ? type.cipherKeyLength() : 20];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (i * 7 + type.ordinal() + id);
        }
        return new NtpKey(id, type, secret);
    }

    /**
     * An answer to {@code request} as chronyd makes one: a valid header of the request's version, signed with
     * {@code signer}, the MAC truncated as chronyd truncates it.
     */
    static byte[] signedReply(byte[] request, SymmetricKeyAuthenticator signer) {
        Packets p = new Packets();
        p.version = PacketFields.version(request);
        p.origin = ByteBuffer.wrap(request).getLong(40);
        return signer.begin(p.bytes()).request(); // a server signs its reply exactly as a client its request
    }

    private static Authenticator.Check verify(Authenticator.Exchange ex, byte[] reply) {
        return ex.verify(reply, reply.length, PacketFields.parse(reply, reply.length));
    }

    @Test
    void aesCmacMatchesRfc4493AndSp80038b() {
        // RFC 4493 section 4, example 1 (empty message) and 2 (16 bytes); NIST SP 800-38B D.3 example 9 (AES-256).
        SymmetricKeyAuthenticator a128 = new SymmetricKeyAuthenticator(
                new NtpKey(1, NtpKeyType.AES128, HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c")));
        assertArrayEquals(HEX.parseHex("bb1d6929e95937287fa37d129b756746"), a128.mac(new byte[0], 0));
        assertArrayEquals(HEX.parseHex("070a16b46b4d4144f79bdd9dd04a287c"),
                a128.mac(HEX.parseHex("6bc1bee22e409f96e93d7e117393172a"), 16));
        SymmetricKeyAuthenticator a256 = new SymmetricKeyAuthenticator(new NtpKey(1, NtpKeyType.AES256,
                HEX.parseHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")));
        assertArrayEquals(HEX.parseHex("028962f61b7bf89efc6b551f4667d983"), a256.mac(new byte[0], 0));
    }

    @Test
    void hashTypesAreThePlainHashOfKeyThenPacket() throws Exception {
        byte[] packet = new byte[48];
        packet[0] = 0x23;
        NtpKey k = new NtpKey(5, NtpKeyType.SHA1, "secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update("secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sha1.update(packet);
        assertArrayEquals(sha1.digest(), new SymmetricKeyAuthenticator(k).mac(packet, 48));
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void requestsCarryKeyIdAndTheMacTruncatedAsChronyDoes(NtpKeyType type) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(type, 7));
        int version = type == NtpKeyType.SHA256 ? 3 : 4; // NTPv3 where an NTPv4 MAC would be truncated
        assertEquals(version, a.requestVersion());
        byte[] header = UdpSntpClient.request(0x1234_5678_9ABC_DEF0L, a.requestVersion());
        byte[] request = a.begin(header.clone()).request();
        assertEquals(48 + 4 + type.digestLength(), request.length);
        assertArrayEquals(header, Arrays.copyOf(request, 48));
        assertEquals(7, ByteBuffer.wrap(request).getInt(48));
        assertArrayEquals(a.mac(header, 48), Arrays.copyOfRange(request, 52, request.length));
        PacketFields f = PacketFields.parse(request, request.length);
        assertEquals(48, f.macStart(), "chrony parses our request's MAC");
        assertEquals(7, f.macKeyId(request));
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void anAnswerSignedWithTheSameKeyPasses(NtpKeyType type) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(type, 7));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(42, a.requestVersion()));
        assertTrue(verify(ex, signedReply(ex.request(), a)).ok());
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void anAnswerWithoutAMacIsUnauthenticated(NtpKeyType type) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(type, 7));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(42, a.requestVersion()));
        byte[] reply = Arrays.copyOf(signedReply(ex.request(), a), 48);
        Authenticator.Check c = verify(ex, reply);
        assertEquals(DropReason.UNAUTHENTICATED, c.reason());
        assertEquals(DropReason.UNAUTHENTICATED, verify(ex, Arrays.copyOf(reply, 52)).reason(), "crypto-NAK");
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void anAnswerUnderAnotherKeyIdIsTheWrongKey(NtpKeyType type) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(type, 7));
        SymmetricKeyAuthenticator other = new SymmetricKeyAuthenticator(key(type, 8));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(42, a.requestVersion()));
        Authenticator.Check c = verify(ex, signedReply(ex.request(), other));
        assertEquals(DropReason.WRONG_KEY, c.reason());
        assertEquals("MAC under key 8, expected key 7", c.detail());
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void anAnswerUnderTheSameIdButAnotherSecretHasABadMac(NtpKeyType type) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(type, 7));
        byte[] secret = key(type, 7).secret();
        secret[0] ^= 1;
        SymmetricKeyAuthenticator forger = new SymmetricKeyAuthenticator(new NtpKey(7, type, secret));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(42, a.requestVersion()));
        assertEquals(DropReason.BAD_MAC, verify(ex, signedReply(ex.request(), forger)).reason());
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void anyChangedByteOfASignedAnswerIsRefused(NtpKeyType type) {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(type, 7));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(42, a.requestVersion()));
        byte[] reply = signedReply(ex.request(), a);
        for (int i = 0; i < reply.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] forged = reply.clone();
                forged[i] ^= (byte) (1 << bit);
                PacketFields f = PacketFields.parse(forged, forged.length);
                if (f == null) {
                    continue; // flipping the version bits can make it malformed: dropped before verify
                }
                assertFalse(ex.verify(forged, forged.length, f).ok(), "byte " + i + " bit " + bit);
            }
        }
    }

    @Test
    void aTruncatedOrPaddedMacIsBad() {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(NtpKeyType.SHA256, 7));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(42, 3));
        byte[] reply = signedReply(ex.request(), a);
        assertEquals(48 + 36, reply.length);
        Authenticator.Check c = verify(ex, Arrays.copyOf(reply, 48 + 24));
        assertEquals(DropReason.BAD_MAC, c.reason());
        assertEquals("MAC of 20 bytes under key 7, expected 32", c.detail());
        assertEquals(DropReason.BAD_MAC, verify(ex, Arrays.copyOf(reply, 48 + 40)).reason());
    }

    @Test
    void aSha256AnswerInNtpv4CarriesTheFirst20BytesAsChronyTruncatesThem() {
        SymmetricKeyAuthenticator a = new SymmetricKeyAuthenticator(key(NtpKeyType.SHA256, 7));
        Authenticator.Exchange ex = a.begin(UdpSntpClient.request(42, 3));
        Packets p = new Packets();
        p.origin = 42;
        byte[] header = p.bytes(); // version 4
        byte[] reply = a.begin(header).request();
        assertEquals(48 + 24, reply.length, "an NTPv4 MAC is cut to 20 bytes");
        assertTrue(verify(ex, reply).ok());
    }

    @Test
    void detailsNeverContainTheSecret() {
        NtpKey k = new NtpKey(7, NtpKeyType.AES128, "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("key 7 (AES128, 128 bits)", k.toString());
        assertEquals("key 7 (AES128, 128 bits)", new SymmetricKeyAuthenticator(k).toString());
        assertFalse(dev.pintp.ntp.NtpAuth.symmetricKey(k).toString().contains("0123"));
    }
}
