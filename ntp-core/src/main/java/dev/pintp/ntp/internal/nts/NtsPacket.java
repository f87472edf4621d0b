package dev.pintp.ntp.internal.nts;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The NTS extension fields of RFC 8915 section 5 on an NTPv4 packet (RFC 7822 framing: 16-bit type, 16-bit length
 * including the 4-byte header, a multiple of 4 and at least 16): building a request and checking a reply. Pure
 * functions on bytes; never throws for what a received datagram holds.
 */
public final class NtsPacket {
    /** Extension field type: Unique Identifier. */
    static final int UNIQUE_IDENTIFIER = 0x0104;
    /** Extension field type: NTS Cookie. */
    static final int COOKIE = 0x0204;
    /** Extension field type: NTS Cookie Placeholder. */
    static final int COOKIE_PLACEHOLDER = 0x0304;
    /** Extension field type: NTS Authenticator and Encrypted Extension Fields. */
    static final int AUTHENTICATOR = 0x0404;

    /** Length of the Unique Identifier we send: 32 random bytes (RFC 8915 section 5.3 asks for at least 32). */
    public static final int UNIQUE_ID_LENGTH = 32;
    /** Length of the nonce we send: 16 bytes, AES-SIV's block. */
    public static final int NONCE_LENGTH = 16;
    static final int HEADER_LENGTH = 48;
    private static final int KISS_NTSN = 0x4E54_534E;

    private NtsPacket() {
    }

    /**
     * A request: the 48-byte header, Unique Identifier, the cookie, {@code placeholders} Cookie Placeholders of the
     * cookie's length, and the Authenticator with no encrypted fields, sealed with the C2S key over everything before
     * it (RFC 8915 section 5.7).
     *
     * @param header the 48-byte NTP header (mode 3)
     * @param uniqueId the Unique Identifier, {@link #UNIQUE_ID_LENGTH} bytes
     * @param cookie one cookie from the jar (a multiple of 4 bytes)
     * @param placeholders how many more cookies to ask for, 0 to 7
     * @param c2sKey the client-to-server key
     * @param nonce {@link #NONCE_LENGTH} random bytes
     */
    public static byte[] request(byte[] header, byte[] uniqueId, byte[] cookie, int placeholders, byte[] c2sKey,
            byte[] nonce) {
        if (header.length != HEADER_LENGTH || uniqueId.length != UNIQUE_ID_LENGTH || nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("header, unique id or nonce of the wrong length");
        }
        if (cookie.length == 0 || cookie.length % 4 != 0 || placeholders < 0
                || placeholders >= NtsKeRecords.MAX_COOKIES) {
            throw new IllegalArgumentException("bad cookie length or placeholder count");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header, 0, header.length);
        field(out, UNIQUE_IDENTIFIER, uniqueId);
        field(out, COOKIE, cookie);
        for (int i = 0; i < placeholders; i++) {
            field(out, COOKIE_PLACEHOLDER, new byte[cookie.length]);
        }
        byte[] associated = out.toByteArray();
        byte[] sealed = NtsAead.seal(c2sKey, nonce, new byte[0], associated);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        u16(auth, nonce.length);
        u16(auth, sealed.length);
        auth.write(nonce, 0, nonce.length);
        auth.write(sealed, 0, sealed.length);
        field(out, AUTHENTICATOR, auth.toByteArray());
        return out.toByteArray();
    }

    /** What checking a reply found. */
    public sealed interface Reply permits Authentic, Nak, Invalid {
    }

    /**
     * An authentic reply to our request: the Unique Identifier matched and the Authenticator verified under the S2C
     * key; {@code cookies} are the new cookies from the encrypted fields (possibly none).
     */
    public record Authentic(List<byte[]> cookies) implements Reply {
        /** Copies the cookies. */
        public Authentic {
            List<byte[]> copy = new ArrayList<>(cookies.size());
            for (byte[] c : cookies) {
                copy.add(c.clone()); // a loop, not a stream: this runs in every one-shot check
            }
            cookies = List.copyOf(copy);
        }
    }

    /** An NTS NAK (Kiss-o'-Death NTSN) carrying our Unique Identifier: the server no longer takes our cookies. */
    public record Nak() implements Reply {
    }

    /** Not an authentic reply to our request: never used. */
    public record Invalid(String reason) implements Reply {
        /** Rejects a null reason. */
        public Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Checks a reply (RFC 8915 section 5.7): the extension fields are well framed to the end of the datagram; the
     * Unique Identifier appears once, before the Authenticator, and equals ours; the Authenticator appears once and
     * its tag verifies over the header and every field before it; the encrypted fields are well framed; the new
     * cookies are each 4 to 256 bytes and at most 8 are taken. Fields after the Authenticator are not authenticated
     * and are ignored. A Kiss-o'-Death NTSN without an Authenticator that carries our Unique Identifier is a
     * {@link Nak}. Anything else is {@link Invalid}.
     *
     * @param datagram the received bytes
     * @param length how many of them
     * @param uniqueId the Unique Identifier of our request
     * @param s2cKey the server-to-client key
     */
    public static Reply check(byte[] datagram, int length, byte[] uniqueId, byte[] s2cKey) {
        if (length < HEADER_LENGTH || length > datagram.length) {
            return new Invalid("shorter than an NTP header");
        }
        List<int[]> fields = new ArrayList<>(); // {offset, type, length}
        String framing = frame(datagram, HEADER_LENGTH, length, fields);
        if (framing != null) {
            return new Invalid(framing);
        }
        if (fields.isEmpty()) {
            return new Invalid("a plain answer, without NTS fields"); // what a forger who cannot do NTS sends
        }
        boolean kissNtsn = (datagram[1] & 0xFF) == 0 && readInt(datagram, 12) == KISS_NTSN;
        boolean uidSeen = false;
        int[] authenticator = null;
        for (int[] f : fields) {
            if (f[1] == AUTHENTICATOR) {
                authenticator = f;
                break;
            }
            if (f[1] == UNIQUE_IDENTIFIER) {
                if (uidSeen) {
                    return new Invalid("two Unique Identifier fields");
                }
                uidSeen = true;
                if (!MessageDigest.isEqual(Arrays.copyOfRange(datagram, f[0] + 4, f[0] + f[2]), uniqueId)) {
                    return new Invalid("Unique Identifier is not ours");
                }
            }
        }
        if (!uidSeen) {
            return new Invalid("no Unique Identifier before the Authenticator");
        }
        if (authenticator == null) {
            return kissNtsn ? new Nak() : new Invalid("no NTS Authenticator");
        }
        int body = authenticator[0] + 4;
        int bodyLength = authenticator[2] - 4;
        if (bodyLength < 4) {
            return new Invalid("Authenticator too short");
        }
        int nonceLength = readU16(datagram, body);
        int sealedLength = readU16(datagram, body + 2);
        if (nonceLength == 0 || sealedLength < NtsAead.TAG_LENGTH
                || 4L + pad4(nonceLength) + pad4(sealedLength) > bodyLength) {
            return new Invalid("Authenticator's nonce or ciphertext length does not fit");
        }
        byte[] nonce = Arrays.copyOfRange(datagram, body + 4, body + 4 + nonceLength);
        int sealedAt = body + 4 + pad4(nonceLength);
        byte[] sealed = Arrays.copyOfRange(datagram, sealedAt, sealedAt + sealedLength);
        byte[] associated = Arrays.copyOfRange(datagram, 0, authenticator[0]);
        Optional<byte[]> plain = NtsAead.open(s2cKey, nonce, sealed, associated);
        if (plain.isEmpty()) {
            return new Invalid("Authenticator does not verify");
        }
        if (kissNtsn) {
            // an authenticated NTSN is not a valid NAK (RFC 8915 section 5.7); treat as unusable
            return new Invalid("authenticated NTS NAK");
        }
        byte[] p = plain.get();
        List<int[]> inner = new ArrayList<>();
        String innerFraming = frame(p, 0, p.length, inner);
        if (innerFraming != null) {
            return new Invalid("encrypted fields: " + innerFraming);
        }
        List<byte[]> cookies = new ArrayList<>();
        for (int[] f : inner) {
            if (f[1] == COOKIE) {
                int cookieLength = f[2] - 4;
                if (cookieLength > NtsKeRecords.MAX_COOKIE_LENGTH) {
                    return new Invalid("new cookie of " + cookieLength + " bytes");
                }
                if (cookies.size() < NtsKeRecords.MAX_COOKIES) {
                    cookies.add(Arrays.copyOfRange(p, f[0] + 4, f[0] + f[2]));
                }
            }
        }
        return new Authentic(cookies);
    }

    /**
     * Splits {@code b[from, to)} into RFC 7822 fields; null when it splits exactly, else the reason. Every field is at
     * least 16 bytes (a Unique Identifier of 32 makes 36), a multiple of 4, within the bytes left.
     */
    private static String frame(byte[] b, int from, int to, List<int[]> into) {
        int at = from;
        while (at < to) {
            if (to - at < 4) {
                return (to - at) + " stray bytes after the extension fields";
            }
            int type = readU16(b, at);
            int length = readU16(b, at + 2);
            if (length < 16 || length % 4 != 0 || length > to - at) {
                return "extension field of type 0x" + Integer.toHexString(type) + " has a bad length " + length;
            }
            into.add(new int[] {at, type, length});
            at += length;
        }
        return null;
    }

    private static int pad4(int n) {
        return (n + 3) & ~3;
    }

    private static void field(ByteArrayOutputStream out, int type, byte[] body) {
        int padded = pad4(body.length);
        int length = Math.max(16, 4 + padded);
        u16(out, type);
        u16(out, length);
        out.write(body, 0, body.length);
        for (int i = body.length; i < length - 4; i++) {
            out.write(0);
        }
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static int readU16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int readInt(byte[] b, int at) {
        return (readU16(b, at) << 16) | readU16(b, at + 2);
    }
}
