package dev.pintp.ntp.internal;

import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * RFC 5905 / RFC 8573 symmetric-key authentication exactly as chrony does it (ntp_auth.c, keys.c): the request
 * carries the key id and the MAC of the packet before it; an answer counts only with a MAC under the same key id
 * that verifies, compared in constant time. Hash types (MD5, SHA1, SHA256) use chrony's "NTP MAC",
 * {@code H(key || packet)}; AES128/AES256 use AES-CMAC (Bouncy Castle's {@link CMac}: the JDK has none).
 *
 * <p>Truncation (RFC 7822 section 7.5, chrony's {@code generate_symmetric_auth}/{@code check_symmetric_auth}): in an
 * NTPv4 packet the MAC is at most 4 + 20 bytes, so a longer digest would be cut to 20 bytes; chrony therefore sends
 * NTPv3 for such keys (SHA256: 32 bytes), where the full digest goes. The answer's MAC must have exactly
 * min(digest length, 20) bytes when it is an NTPv4 MAC of at most 24 bytes, and the full digest otherwise.
 *
 * <p>Stateless and thread-safe; each exchange makes its own MAC objects.
 */
public final class SymmetricKeyAuthenticator implements Authenticator {
    private final NtpKey key;
    private final long keyId;
    private final NtpKeyType type;
    private final int version;

    /** Authenticates with {@code key}. */
    public SymmetricKeyAuthenticator(NtpKey key) {
        this.key = Objects.requireNonNull(key, "key");
        this.keyId = key.id();
        this.type = key.type();
        // NAU_GetSuggestedNtpVersion: NTPv3 when the MAC would be truncated in NTPv4.
        this.version = 4 + type.digestLength() > PacketFields.MAX_V4_MAC_LENGTH ? 3 : 4;
    }

    @Override
    public int requestVersion() {
        return version;
    }

    @Override
    public Exchange begin(byte[] header) {
        int max = (PacketFields.version(header) == 4 ? PacketFields.MAX_V4_MAC_LENGTH : PacketFields.MAX_MAC_LENGTH)
                - 4;
        byte[] mac = mac(header, header.length);
        int macLength = Math.min(mac.length, max);
        byte[] request = Arrays.copyOf(header, header.length + 4 + macLength);
        writeInt(request, header.length, (int) keyId);
        System.arraycopy(mac, 0, request, header.length + 4, macLength);
        return new KeyedExchange(request);
    }

    /** The full MAC of {@code data[0..length)} under the key. */
    byte[] mac(byte[] data, int length) {
        byte[] secret = key.secret();
        try {
            if (type.isCipher()) {
                CMac cmac = new CMac(AESEngine.newInstance());
                cmac.init(new KeyParameter(secret));
                cmac.update(data, 0, length);
                byte[] out = new byte[cmac.getMacSize()];
                cmac.doFinal(out, 0);
                return out;
            }
            MessageDigest md = MessageDigest.getInstance(digestName(type));
            md.update(secret);
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + type, e); // every JDK has MD5, SHA-1 and SHA-256
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static String digestName(NtpKeyType type) {
        switch (type) {
            case MD5:
                return "MD5";
            case SHA1:
                return "SHA-1";
            case SHA256:
                return "SHA-256";
            default:
                throw new IllegalArgumentException("not a hash type: " + type);
        }
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    @Override
    public String toString() {
        return key.toString();
    }

    /** One request with a MAC, and the check of its answers. */
    private final class KeyedExchange implements Exchange {
        private final byte[] request;

        KeyedExchange(byte[] request) {
            this.request = request;
        }

        @Override
        public byte[] request() {
            return request;
        }

        @Override
        public Check verify(byte[] data, int length, PacketFields fields) {
            if (!fields.hasMac()) {
                return Check.drop(DropReason.UNAUTHENTICATED, "no MAC in the answer"
                        + (fields.hasNtsFields() ? " (NTS fields instead)" : "") + ", expected one under key "
                        + keyId);
            }
            if (fields.isCryptoNak()) {
                return Check.drop(DropReason.UNAUTHENTICATED,
                        "a crypto-NAK: the server could not authenticate our request under key " + keyId);
            }
            long id = fields.macKeyId(data);
            if (id != keyId) {
                return Check.drop(DropReason.WRONG_KEY, "MAC under key " + id + ", expected key " + keyId);
            }
            int authLength = fields.macLength() - 4;
            if (fields.macLength() < PacketFields.MIN_MAC_LENGTH) {
                return Check.drop(DropReason.BAD_MAC, "MAC of " + authLength + " bytes under key " + keyId
                        + ", too short");
            }
            int truncated = PacketFields.version(data) == 4 && fields.macLength() <= PacketFields.MAX_V4_MAC_LENGTH
                    ? PacketFields.MAX_V4_MAC_LENGTH - 4 : PacketFields.MAX_MAC_LENGTH - 4;
            byte[] expected = mac(data, fields.macStart());
            int expectedLength = Math.min(expected.length, truncated);
            if (authLength != expectedLength) {
                return Check.drop(DropReason.BAD_MAC, "MAC of " + authLength + " bytes under key " + keyId
                        + ", expected " + expectedLength);
            }
            byte[] got = Arrays.copyOfRange(data, fields.macStart() + 4, fields.macStart() + 4 + authLength);
            if (!MessageDigest.isEqual(Arrays.copyOf(expected, expectedLength), got)) {
                return Check.drop(DropReason.BAD_MAC, "the MAC under key " + keyId + " does not verify");
            }
            return Check.OK;
        }
    }
}
