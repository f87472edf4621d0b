package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** chrony's rules for what follows the header (ntp_core.c parse_packet, ntp_ext.c NEF_ParseField), one by one. */
class PacketFieldsTest {

    /** A datagram: a header of {@code version} and the given trailer parts. */
    static byte[] packet(int version, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[48];
        header[0] = (byte) (version << 3 | 4);
        out.writeBytes(header);
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** An extension field of {@code type} with {@code length} bytes in total (header included), body 0xAB. */
    static byte[] field(int type, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putShort((short) type).putShort((short) length);
        while (b.hasRemaining()) {
            b.put((byte) 0xAB);
        }
        return b.array();
    }

    /** A MAC: key id and {@code digestLength} bytes. */
    static byte[] mac(long keyId, int digestLength) {
        ByteBuffer b = ByteBuffer.allocate(4 + digestLength);
        b.putInt((int) keyId);
        while (b.hasRemaining()) {
            b.put((byte) 0x5A);
        }
        return b.array();
    }

    private static PacketFields parse(byte[] p) {
        return PacketFields.parse(p, p.length);
    }

    @Test
    void aBareHeaderIsPlainWithoutAllocation() {
        assertSame(PacketFields.PLAIN, parse(packet(4)));
        assertFalse(PacketFields.PLAIN.hasMac());
        assertEquals(0, PacketFields.PLAIN.extensionCount());
    }

    @Test
    void twentyAndTwentyFourBytesAfterAVersion4HeaderAreAMac() {
        for (int digest : new int[] {16, 20}) {
            PacketFields f = assertParses(packet(4, mac(0xFFFF_FFF0L, digest)));
            assertTrue(f.hasMac());
            assertEquals(48, f.macStart());
            assertEquals(4 + digest, f.macLength());
            assertEquals(0xFFFF_FFF0L, f.macKeyId(packet(4, mac(0xFFFF_FFF0L, digest))));
            assertEquals(0, f.extensionCount());
            assertFalse(f.isCryptoNak());
        }
    }

    @Test
    void fourZeroBytesAreACryptoNak() {
        PacketFields f = assertParses(packet(4, new byte[4]));
        assertTrue(f.isCryptoNak());
        assertEquals(0, f.macKeyId(packet(4, new byte[4])));
    }

    @Test
    void shortTrailersThatAreNoMacAreMalformed() {
        assertNull(parse(packet(4, mac(1, 0))), "4 non-zero bytes");
        assertNull(parse(packet(4, new byte[8])));
        assertNull(parse(packet(4, new byte[12])));
        assertNull(parse(packet(4, new byte[16])));
    }

    @Test
    void aLongerMacInVersion4IsNoExtensionFieldAndSoMalformed() {
        // A SHA256 MAC would be 36 bytes: as a field its "length" is the low half of the key id. chrony sends NTPv3.
        assertNull(parse(packet(4, mac(1, 32))));
    }

    @Test
    void anythingAfterAVersion3HeaderIsAMac() {
        byte[] p = packet(3, mac(7, 32));
        PacketFields f = assertParses(p);
        assertEquals(48, f.macStart());
        assertEquals(36, f.macLength());
        assertEquals(7, f.macKeyId(p));
        assertEquals(0, f.extensionCount());
    }

    @Test
    void extensionFieldsAreSplitInOrderAndAMacMayFollow() {
        byte[] p = packet(4, field(0x0104, 36), field(0x0204, 16), mac(9, 16));
        PacketFields f = assertParses(p);
        assertEquals(2, f.extensionCount());
        assertEquals(0x0104, f.extensionType(0));
        assertEquals(48, f.extensionStart(0));
        assertEquals(36, f.extensionLength(0));
        assertEquals(0x0204, f.extensionType(1));
        assertEquals(84, f.extensionStart(1));
        assertEquals(16, f.extensionLength(1));
        assertEquals(100, f.macStart());
        assertEquals(20, f.macLength());
        assertEquals(9, f.macKeyId(p));
        assertTrue(f.hasNtsFields());
        assertEquals(1, f.indexOf(0x0204));
        assertEquals(-1, f.indexOf(0x0404));
    }

    @Test
    void aLastFieldOfMacLengthReadsAsAMac() {
        // RFC 7822 section 7.5: 20 or 24 bytes at the end are a MAC, whatever they hold.
        PacketFields f = assertParses(packet(4, field(0x0104, 28), field(0x0204, 20)));
        assertEquals(1, f.extensionCount());
        assertEquals(76, f.macStart());
        assertEquals(20, f.macLength());
    }

    @Test
    void withoutAMacTheLastFieldMustBeAtLeast28Bytes() {
        assertNull(parse(packet(4, field(0x0104, 16))), "RFC 7822 section 7.5");
        assertNull(parse(packet(4, field(0x0104, 28), field(0x0104, 16))));
        assertNotNull(parse(packet(4, field(0x0104, 16), mac(1, 16))));
    }

    @Test
    void aFieldOfTwentyEightBytesAloneIsAField() {
        PacketFields f = assertParses(packet(4, field(0xF323, 28)));
        assertEquals(1, f.extensionCount());
        assertFalse(f.hasMac());
        assertFalse(f.hasNtsFields());
    }

    @Test
    void badFieldsAreMalformed() {
        assertNull(parse(withLength(packet(4, field(1, 28)), 48, 12)), "length below 16");
        assertNull(parse(withLength(packet(4, field(1, 28)), 48, 26)), "not a multiple of 4");
        assertNull(parse(withLength(packet(4, field(1, 28)), 48, 32)), "past the end");
        assertNull(parse(withLength(packet(4, field(1, 28)), 48, 0)), "length 0");
        assertNull(parse(packet(4, field(1, 28), new byte[8])), "8 bytes after the last field");
        assertNull(parse(packet(4, field(1, 28), mac(1, 32))), "a MAC too long for NTPv4 after a field");
    }

    @Test
    void badLengthsAreMalformed() {
        byte[] p = packet(4, mac(1, 16));
        assertNull(PacketFields.parse(p, 66));
        assertNull(PacketFields.parse(p, 44));
        assertNull(PacketFields.parse(new byte[2000], PacketFields.MAX_PACKET_LENGTH + 4));
        assertNull(PacketFields.parse(p, p.length + 4), "longer than the buffer");
        assertNotNull(PacketFields.parse(packet(4, field(1, 1024), mac(1, 20)), 48 + 1024 + 24));
    }

    private static byte[] withLength(byte[] p, int at, int length) {
        p[at + 2] = (byte) (length >>> 8);
        p[at + 3] = (byte) length;
        return p;
    }

    private static PacketFields assertParses(byte[] p) {
        PacketFields f = parse(p);
        assertNotNull(f, "should parse");
        return f;
    }
}
