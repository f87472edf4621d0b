package dev.pintp.ntp;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * A symmetric key shared with an NTP server (chrony's {@code keyfile}): its id, its type and its secret. Immutable;
 * the secret is copied in and out and never appears in {@link #toString()}.
 */
public final class NtpKey {
    /** The largest key id: ids are unsigned 32-bit numbers, 1 to 2^32 - 1 (0 means "no key" in chrony). */
    public static final long MAX_ID = 0xFFFF_FFFFL;
    /** chrony warns about keys shorter than this many bytes (80 bits). */
    public static final int MIN_SECURE_LENGTH = 10;

    private final long id;
    private final NtpKeyType type;
    private final byte[] secret;

    /**
     * A key.
     *
     * @param id 1 to {@link #MAX_ID}
     * @param type the MAC algorithm
     * @param secret the key bytes: 1 or more, exactly 16 for AES128 and 32 for AES256; copied
     * @throws IllegalArgumentException for an id or length out of range (the message names neither the secret nor
     *     its bytes)
     */
    public NtpKey(long id, NtpKeyType type, byte[] secret) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(secret, "secret");
        if (id < 1 || id > MAX_ID) {
            throw new IllegalArgumentException("key id must be 1 to " + MAX_ID + ", was " + id);
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("key " + id + " is empty");
        }
        if (type.isCipher() && secret.length != type.cipherKeyLength()) {
            throw new IllegalArgumentException("key " + id + " of type " + type.chronyName() + " must be "
                    + 8 * type.cipherKeyLength() + " bits, was " + 8 * secret.length);
        }
        this.id = id;
        this.type = type;
        this.secret = secret.clone();
    }

    /** The key id, 1 to {@link #MAX_ID}. */
    public long id() {
        return id;
    }

    /** The MAC algorithm. */
    public NtpKeyType type() {
        return type;
    }

    /** A copy of the secret. */
    public byte[] secret() {
        return secret.clone();
    }

    /** The secret's length in bits. */
    public int bits() {
        return 8 * secret.length;
    }

    /** Equal when id, type and secret are (the secrets compared in constant time). */
    @Override
    public boolean equals(Object o) {
        return o instanceof NtpKey k && id == k.id && type == k.type && MessageDigest.isEqual(secret, k.secret);
    }

    /** A hash of id and type only, so that the secret cannot leak through it. */
    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + type.hashCode();
    }

    /** {@code key 1 (AES128, 128 bits)}: never the secret. */
    @Override
    public String toString() {
        return "key " + id + " (" + type.chronyName() + ", " + bits() + " bits)";
    }
}
