package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The extension-field/MAC splitter on random and generated input: it never throws, whatever it returns describes the
 * datagram exactly (fields back to back from byte 48, each 16 bytes or more and 4-aligned, then nothing or a MAC
 * reaching the end), and every well-formed sequence built by the rules is split back into exactly its parts.
 */
class PacketFieldsPropertyTest {

    @Property(tries = 5000)
    void randomTrailersNeverThrowAndAnySplitIsConsistent(@ForAll @Size(max = 1200) byte[] trailer,
            @ForAll @IntRange(min = 0, max = 7) int version, @ForAll @IntRange(min = 0, max = 1300) int length) {
        byte[] p = Arrays.copyOf(PacketFieldsTest.packet(version), 48 + trailer.length);
        System.arraycopy(trailer, 0, p, 48, trailer.length);
        p[0] = (byte) (p[0] & 0xC7 | version << 3);
        int len = Math.min(length, p.length);
        PacketFields f = PacketFields.parse(p, len);
        if (f != null) {
            assertConsistent(p, len, f);
        }
    }

    @Property(tries = 3000)
    void mutatedWellFormedPacketsNeverThrowAndAnySplitIsConsistent(@ForAll("wellFormed") byte[] p,
            @ForAll @IntRange(min = 48, max = 1200) int at, @ForAll byte value) {
        byte[] q = p.clone();
        if (at < q.length) {
            q[at] = value;
        }
        PacketFields f = PacketFields.parse(q, q.length);
        if (f != null) {
            assertConsistent(q, q.length, f);
        }
    }

    @Property(tries = 3000)
    void wellFormedSequencesSplitBackIntoTheirParts(@ForAll("fieldLengths") List<Integer> lengths,
            @ForAll @IntRange(min = -1, max = 20) int macDigest) {
        int digest = macDigest < 16 ? -1 : macDigest / 4 * 4; // none, 16 or 20
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lengths.size(); i++) {
            out.writeBytes(PacketFieldsTest.field(0x1000 + i, lengths.get(i)));
        }
        if (digest > 0) {
            out.writeBytes(PacketFieldsTest.mac(0xABCD_0123L, digest));
        }
        byte[] p = PacketFieldsTest.packet(4, out.toByteArray());
        if (p.length > PacketFields.MAX_PACKET_LENGTH) {
            return;
        }
        PacketFields f = PacketFields.parse(p, p.length);
        if (digest < 0 && !lengths.isEmpty() && lengths.get(lengths.size() - 1) < 28) {
            // RFC 7822 section 7.5: without a MAC the last field must be at least 28 bytes; chrony refuses it.
            assertEquals(null, f, () -> "lengths " + lengths);
            return;
        }
        assertNotNull(f, () -> "lengths " + lengths + " digest " + digest);
        assertEquals(lengths.size(), f.extensionCount());
        int at = 48;
        for (int i = 0; i < lengths.size(); i++) {
            assertEquals(0x1000 + i, f.extensionType(i));
            assertEquals(at, f.extensionStart(i));
            assertEquals(lengths.get(i), f.extensionLength(i));
            at += lengths.get(i);
        }
        if (digest > 0) {
            assertEquals(at, f.macStart());
            assertEquals(4 + digest, f.macLength());
            assertEquals(0xABCD_0123L, f.macKeyId(p));
        } else {
            assertEquals(-1, f.macStart());
        }
    }

    /**
     * Field lengths of 16 or 28 and more: a field of 20 or 24 bytes where a MAC could end the packet reads as a MAC
     * (RFC 7822's rule for deterministic parsing), which {@link PacketFieldsTest} shows separately.
     */
    @Provide
    Arbitrary<List<Integer>> fieldLengths() {
        return Arbitraries.integers().between(4, 80).filter(n -> n != 5 && n != 6).map(n -> n * 4).list()
                .ofMaxSize(6);
    }

    @Provide
    Arbitrary<byte[]> wellFormed() {
        return Combinators.combine(fieldLengths(), Arbitraries.of(0, 16, 20)).as((lengths, digest) -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int n : lengths) {
                out.writeBytes(PacketFieldsTest.field(0x0104, n));
            }
            if (digest > 0) {
                out.writeBytes(PacketFieldsTest.mac(1, digest));
            }
            return PacketFieldsTest.packet(4, out.toByteArray());
        });
    }

    /** The split describes the datagram exactly. */
    private static void assertConsistent(byte[] p, int len, PacketFields f) {
        assertTrue(len >= 48 && len % 4 == 0 && len <= PacketFields.MAX_PACKET_LENGTH, "length " + len);
        int version = (p[0] >>> 3) & 7;
        int at = 48;
        for (int i = 0; i < f.extensionCount(); i++) {
            assertTrue(version == 4 || version > 4, "fields only in NTPv4");
            assertEquals(at, f.extensionStart(i));
            int n = f.extensionLength(i);
            assertTrue(n >= 16 && n % 4 == 0, "field length " + n);
            assertEquals(n, PacketFields.readShort(p, at + 2));
            assertEquals(f.extensionType(i), PacketFields.readShort(p, at));
            at += n;
        }
        if (f.hasMac()) {
            assertEquals(at, f.macStart());
            assertEquals(len, f.macStart() + f.macLength());
            if (version >= 4) {
                assertTrue(f.macLength() >= 20 && f.macLength() <= 24 || f.isCryptoNak() && PacketFields.readInt(p,
                        at) == 0, "NTPv4 MAC length " + f.macLength());
            }
        } else {
            assertEquals(len, at);
        }
    }
}
