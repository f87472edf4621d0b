package dev.pintp.ntp.internal.nts;

import java.util.Arrays;
import java.util.Optional;
import javax.crypto.IllegalBlockSizeException;
import org.cryptomator.siv.SivMode;
import org.cryptomator.siv.UnauthenticCiphertextException;

/**
 * AEAD_AES_SIV_CMAC_256 (RFC 5297, AEAD id 15) through cryptomator's siv-mode, in the RFC 5116 form NTS uses: the
 * associated data, then the nonce, as the S2V components. The 32-byte key is K1 (CMAC) then K2 (CTR), as RFC 5297
 * section 2.2 splits it. Thread-safe.
 */
public final class NtsAead {
    /** The synthetic IV (tag) that precedes the ciphertext. */
    public static final int TAG_LENGTH = 16;
    private static final SivMode SIV = new SivMode();

    private NtsAead() {
    }

    /**
     * Encrypts and authenticates.
     *
     * @param key 32 bytes
     * @param nonce the nonce, or null for deterministic use (RFC 5297 A.1)
     * @param plaintext may be empty
     * @param associatedData authenticated, not encrypted
     * @return the tag followed by the ciphertext, {@code plaintext.length + 16} bytes
     */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData) {
        checkKey(key);
        byte[] mac = Arrays.copyOfRange(key, 0, 16);
        byte[] ctr = Arrays.copyOfRange(key, 16, 32);
        try {
            return nonce == null ? SIV.encrypt(ctr, mac, plaintext, associatedData)
                    : SIV.encrypt(ctr, mac, plaintext, associatedData, nonce);
        } finally {
            Arrays.fill(mac, (byte) 0);
            Arrays.fill(ctr, (byte) 0);
        }
    }

    /**
     * Verifies and decrypts; empty when the tag does not match (a forged or altered message, or another key).
     *
     * @param key 32 bytes
     * @param nonce the nonce, or null for deterministic use
     * @param sealed the tag followed by the ciphertext
     * @param associatedData what was authenticated with it
     * @return the plaintext, or empty
     */
    public static Optional<byte[]> open(byte[] key, byte[] nonce, byte[] sealed, byte[] associatedData) {
        checkKey(key);
        if (sealed.length < TAG_LENGTH) {
            return Optional.empty();
        }
        byte[] mac = Arrays.copyOfRange(key, 0, 16);
        byte[] ctr = Arrays.copyOfRange(key, 16, 32);
        try {
            return Optional.of(nonce == null ? SIV.decrypt(ctr, mac, sealed, associatedData)
                    : SIV.decrypt(ctr, mac, sealed, associatedData, nonce));
        } catch (UnauthenticCiphertextException | IllegalBlockSizeException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(mac, (byte) 0);
            Arrays.fill(ctr, (byte) 0);
        }
    }

    private static void checkKey(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("AEAD_AES_SIV_CMAC_256 needs a 32-byte key, got " + key.length);
        }
    }
}
