package dev.pintp.ntp.internal;

import java.util.Arrays;

/**
 * What follows the 48-byte NTP header of one datagram: RFC 7822 extension fields and/or a MAC, split exactly as
 * chrony's {@code parse_packet} (ntp_core.c) and {@code NEF_ParseField} (ntp_ext.c) split them, so that pintp and the
 * Pi Zero's chronyd agree on every byte. A pure function of the bytes; never throws for any content.
 *
 * <p>The rules, for a datagram of {@code length} bytes (a multiple of 4, at least 48):
 * <ul>
 *   <li>exactly 48 bytes: a plain packet ({@link #PLAIN}, no allocation);
 *   <li>version 3 or lower: everything after the header is a MAC (NTPv3 has no extension fields): key id, digest;
 *   <li>version 4, exactly 4 zero bytes after the header: a crypto-NAK (a MAC of key id 0 and no digest: the server
 *       could not authenticate the request);
 *   <li>version 4, otherwise: while 20 to 24 bytes remain they are a MAC (RFC 7822 section 7.5: the longest NTPv4
 *       MAC, so that parsing is deterministic); else an extension field starts here: a 2-byte type, a 2-byte length
 *       counting the 4-byte header, at least 16, a multiple of 4, within the datagram; anything else is malformed;
 *       after the last field, nothing or a MAC of 20 to 24 bytes may follow.
 * </ul>
 *
 * <p>Instances are immutable and refer to the datagram by offsets only; the caller keeps the buffer.
 */
public final class PacketFields {
    /** The length of the NTP header. */
    public static final int HEADER_LENGTH = 48;
    /** The shortest MAC: a 4-byte key id and a 16-byte digest (chrony's {@code NTP_MIN_MAC_LENGTH}). */
    public static final int MIN_MAC_LENGTH = 4 + 16;
    /** The longest MAC in an NTPv4 packet: a 4-byte key id and a 20-byte digest (RFC 7822 section 7.5). */
    public static final int MAX_V4_MAC_LENGTH = 4 + 20;
    /** The longest MAC chrony accepts in any version: a 4-byte key id and a 64-byte digest. */
    public static final int MAX_MAC_LENGTH = 4 + 64;
    /** The shortest extension field, its 4-byte header included (RFC 7822 section 7.5). */
    public static final int MIN_EXTENSION_LENGTH = 16;
    /**
     * The longest datagram considered: the header, 1024 bytes of extension fields and the longest MAC, chrony's
     * {@code sizeof (NTP_Packet)}.
     */
    public static final int MAX_PACKET_LENGTH = HEADER_LENGTH + 1024 + MAX_MAC_LENGTH;

    /** NTS Unique Identifier (RFC 8915 section 5.3). */
    public static final int TYPE_NTS_UNIQUE_IDENTIFIER = 0x0104;
    /** NTS Cookie (RFC 8915 section 5.4). */
    public static final int TYPE_NTS_COOKIE = 0x0204;
    /** NTS Cookie Placeholder (RFC 8915 section 5.5). */
    public static final int TYPE_NTS_COOKIE_PLACEHOLDER = 0x0304;
    /** NTS Authenticator and Encrypted Extension Fields (RFC 8915 section 5.6). */
    public static final int TYPE_NTS_AUTHENTICATOR = 0x0404;

    /** A 48-byte packet: no extension field, no MAC. */
    public static final PacketFields PLAIN = new PacketFields(new int[0], 0, -1, 0);

    private static final int[] NO_FIELDS = new int[0];

    /** Per field: type, start offset, total length (header included). */
    private final int[] fields;
    private final int count;
    private final int macStart;
    private final int macLength;

    private PacketFields(int[] fields, int count, int macStart, int macLength) {
        this.fields = fields;
        this.count = count;
        this.macStart = macStart;
        this.macLength = macLength;
    }

    /**
     * Splits {@code data[0..length)}; null when it is not a well-formed NTP packet by the rules above (length not a
     * multiple of 4, below 48 or above {@link #MAX_PACKET_LENGTH}, a bad extension field, a trailer that is neither
     * a field nor a MAC).
     *
     * @param data the datagram, at least {@code length} bytes (more are ignored)
     * @param length the datagram's length
     */
    public static PacketFields parse(byte[] data, int length) {
        if (length == HEADER_LENGTH) {
            return PLAIN;
        }
        if (data == null || length < HEADER_LENGTH || length % 4 != 0 || length > MAX_PACKET_LENGTH
                || length > data.length) {
            return null;
        }
        int version = (data[0] >>> 3) & 0x07;
        int remainder = length - HEADER_LENGTH;
        if (version <= 3) {
            return new PacketFields(NO_FIELDS, 0, HEADER_LENGTH, remainder);
        }
        if (remainder == 4 && readInt(data, HEADER_LENGTH) == 0) {
            return new PacketFields(NO_FIELDS, 0, HEADER_LENGTH, 4); // crypto-NAK
        }
        int[] fields = NO_FIELDS;
        int count = 0;
        int parsed = HEADER_LENGTH;
        while (remainder > 0) {
            if (remainder >= MIN_MAC_LENGTH && remainder <= MAX_V4_MAC_LENGTH) {
                break;
            }
            // NEF_ParseField: the rest must be longer than the longest MAC, and hold a whole field.
            if (remainder <= MAX_V4_MAC_LENGTH) {
                return null;
            }
            int type = readShort(data, parsed);
            int fieldLength = readShort(data, parsed + 2);
            if (fieldLength < MIN_EXTENSION_LENGTH || fieldLength % 4 != 0 || fieldLength > remainder) {
                return null;
            }
            if (3 * count + 3 > fields.length) {
                fields = Arrays.copyOf(fields, Math.max(12, fields.length * 2));
            }
            fields[3 * count] = type;
            fields[3 * count + 1] = parsed;
            fields[3 * count + 2] = fieldLength;
            count++;
            parsed += fieldLength;
            remainder -= fieldLength;
        }
        if (remainder == 0) {
            return new PacketFields(fields, count, -1, 0);
        }
        return new PacketFields(fields, count, parsed, remainder); // 20 to 24 bytes, by the loop
    }

    /** The NTP version in the header's first byte. */
    public static int version(byte[] data) {
        return (data[0] >>> 3) & 0x07;
    }

    /** True when the packet carries a MAC (a crypto-NAK included). */
    public boolean hasMac() {
        return macStart >= 0;
    }

    /** Offset of the MAC's key id, which is also the length of the data the MAC covers; -1 without a MAC. */
    public int macStart() {
        return macStart;
    }

    /** Length of the MAC, key id included; 0 without a MAC. */
    public int macLength() {
        return macLength;
    }

    /** The MAC's key id (unsigned 32 bits, as a long); -1 without a MAC. */
    public long macKeyId(byte[] data) {
        return macStart < 0 ? -1 : readInt(data, macStart) & 0xFFFF_FFFFL;
    }

    /** True for a crypto-NAK: 4 zero bytes after an NTPv4 header, the server's "I could not authenticate you". */
    public boolean isCryptoNak() {
        return macLength == 4;
    }

    /** How many extension fields precede the MAC (or the end). */
    public int extensionCount() {
        return count;
    }

    /** The type of extension field {@code i} (0-based, in packet order). */
    public int extensionType(int i) {
        check(i);
        return fields[3 * i];
    }

    /** Offset of extension field {@code i}'s 4-byte header in the datagram. */
    public int extensionStart(int i) {
        check(i);
        return fields[3 * i + 1];
    }

    /** Total length of extension field {@code i}, its 4-byte header included; the body is this minus 4. */
    public int extensionLength(int i) {
        check(i);
        return fields[3 * i + 2];
    }

    /** True when some extension field is one of RFC 8915's four NTS types. */
    public boolean hasNtsFields() {
        for (int i = 0; i < count; i++) {
            int type = fields[3 * i];
            if (type == TYPE_NTS_UNIQUE_IDENTIFIER || type == TYPE_NTS_COOKIE || type == TYPE_NTS_COOKIE_PLACEHOLDER
                    || type == TYPE_NTS_AUTHENTICATOR) {
                return true;
            }
        }
        return false;
    }

    /** Index of the first extension field of {@code type}, or -1. */
    public int indexOf(int type) {
        for (int i = 0; i < count; i++) {
            if (fields[3 * i] == type) {
                return i;
            }
        }
        return -1;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("extension field " + i + " of " + count);
        }
    }

    /** Big-endian unsigned 16 bits at {@code at}. */
    static int readShort(byte[] data, int at) {
        return ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF);
    }

    /** Big-endian 32 bits at {@code at}. */
    static int readInt(byte[] data, int at) {
        return ((data[at] & 0xFF) << 24) | ((data[at + 1] & 0xFF) << 16) | ((data[at + 2] & 0xFF) << 8)
                | (data[at + 3] & 0xFF);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("PacketFields{");
        for (int i = 0; i < count; i++) {
            s.append("ef 0x").append(Integer.toHexString(fields[3 * i])).append(" at ").append(fields[3 * i + 1])
                    .append(" len ").append(fields[3 * i + 2]).append(", ");
        }
        if (macStart >= 0) {
            s.append("mac at ").append(macStart).append(" len ").append(macLength);
        } else {
            s.append("no mac");
        }
        return s.append('}').toString();
    }
}
