package dev.pintp.ntp.internal.nts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.cryptomator.siv.SivMode;
import org.junit.jupiter.api.Test;

/** AEAD_AES_SIV_CMAC_256 against RFC 5297's own test vectors (appendix A). */
class NtsAeadTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc5297DeterministicExampleA1() {
        byte[] key = HEX.parseHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        byte[] ad = HEX.parseHex("101112131415161718191a1b1c1d1e1f2021222324252627");
        byte[] plain = HEX.parseHex("112233445566778899aabbccddee");
        byte[] expected = HEX.parseHex("85632d07c6e8f37f950acd320a2ecc93" + "40c02b9690c4dc04daef7f6afe5c");
        assertArrayEquals(expected, NtsAead.seal(key, null, plain, ad));
        assertArrayEquals(plain, NtsAead.open(key, null, expected, ad).orElseThrow());
    }

    /** A.2 has two associated-data components and a nonce; NTS passes one AD component and the nonce. */
    @Test
    void rfc5297NonceBasedExampleA2() throws Exception {
        byte[] key = HEX.parseHex("7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f");
        byte[] ad1 = HEX.parseHex("00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100");
        byte[] ad2 = HEX.parseHex("102030405060708090a0");
        byte[] nonce = HEX.parseHex("09f911029d74e35bd84156c5635688c0");
        byte[] plain = HEX.parseHex("7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67"
                + "205349562d414553");
        byte[] expected = HEX.parseHex("7bdb6e3b432667eb06f4d14bff2fbd0f" + "cb900f2fddbe404326601965c889bf17dba77ceb094f"
                + "a663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d");
        // the same library call NtsAead makes, with the RFC's three components (K1 = first half, K2 = second half)
        byte[] mac = java.util.Arrays.copyOfRange(key, 0, 16);
        byte[] ctr = java.util.Arrays.copyOfRange(key, 16, 32);
        assertArrayEquals(expected, new SivMode().encrypt(ctr, mac, plain, ad1, ad2, nonce));
        assertArrayEquals(plain, new SivMode().decrypt(ctr, mac, expected, ad1, ad2, nonce));
    }

    @Test
    void theNonceIsTheLastComponentAfterTheAssociatedData() {
        byte[] key = new byte[32];
        key[0] = 1;
        byte[] ad = {1, 2, 3};
        byte[] nonce = new byte[16];
        nonce[3] = 9;
        byte[] sealed = NtsAead.seal(key, nonce, new byte[] {42}, ad);
        byte[] mac = java.util.Arrays.copyOfRange(key, 0, 16);
        byte[] ctr = java.util.Arrays.copyOfRange(key, 16, 32);
        assertArrayEquals(new SivMode().encrypt(ctr, mac, new byte[] {42}, ad, nonce), sealed);
    }

    @Test
    void anyChangedByteOrAnotherKeyFailsToOpen() {
        byte[] key = new byte[32];
        byte[] nonce = new byte[16];
        byte[] ad = {5, 6, 7, 8};
        byte[] sealed = NtsAead.seal(key, nonce, new byte[] {1, 2}, ad);
        for (int i = 0; i < sealed.length; i++) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x10;
            assertTrue(NtsAead.open(key, nonce, bad, ad).isEmpty(), "byte " + i);
        }
        byte[] other = key.clone();
        other[31] = 1;
        assertTrue(NtsAead.open(other, nonce, sealed, ad).isEmpty());
        assertTrue(NtsAead.open(key, nonce, sealed, new byte[] {5, 6, 7, 9}).isEmpty());
        assertTrue(NtsAead.open(key, new byte[16], new byte[3], ad).isEmpty());
    }
}
