package dev.pintp.ntp.internal.nts;

import static dev.pintp.ntp.internal.nts.NtsKeRecords.AEAD_ALGORITHM;
import static dev.pintp.ntp.internal.nts.NtsKeRecords.END_OF_MESSAGE;
import static dev.pintp.ntp.internal.nts.NtsKeRecords.ERROR;
import static dev.pintp.ntp.internal.nts.NtsKeRecords.NEW_COOKIE;
import static dev.pintp.ntp.internal.nts.NtsKeRecords.NEXT_PROTOCOL;
import static dev.pintp.ntp.internal.nts.NtsKeRecords.NTPV4_PORT;
import static dev.pintp.ntp.internal.nts.NtsKeRecords.NTPV4_SERVER;
import static dev.pintp.ntp.internal.nts.NtsKeRecords.WARNING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** RFC 8915 section 4 records: the request's exact bytes, every rule of the response's reading, and fuzzing. */
class NtsKeRecordsTest {
    private static final byte[] COOKIE = new byte[100];

    /** A valid response with a hook to change it. */
    static byte[] response(Consumer<ByteArrayOutputStream> extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NtsKeRecords.record(out, true, NEXT_PROTOCOL, new byte[] {0, 0});
        NtsKeRecords.record(out, true, AEAD_ALGORITHM, new byte[] {0, 15});
        for (int i = 0; i < 8; i++) {
            byte[] c = COOKIE.clone();
            c[0] = (byte) i;
            NtsKeRecords.record(out, false, NEW_COOKIE, c);
        }
        extra.accept(out);
        NtsKeRecords.record(out, true, END_OF_MESSAGE, new byte[0]);
        return out.toByteArray();
    }

    static byte[] valid() {
        return response(o -> { });
    }

    @Test
    void theRequestIsNextProtocolNtpV4AeadSivCmac256AndEnd() {
        assertArrayEquals(HexFormat.of().parseHex("80010002" + "0000" + "80040002" + "000f" + "80000000"),
                NtsKeRecords.request());
    }

    @Test
    void aValidResponseGivesItsCookiesInOrder() throws Exception {
        NtsKeRecords.Response r = NtsKeRecords.parse(valid());
        assertEquals(8, r.cookies().size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i, r.cookies().get(i)[0]);
        }
        assertTrue(r.ntpServer().isEmpty());
        assertTrue(r.ntpPort().isEmpty());
    }

    @Test
    void serverAndPortNegotiationAreRead() throws Exception {
        NtsKeRecords.Response r = NtsKeRecords.parse(response(o -> {
            NtsKeRecords.record(o, false, NTPV4_SERVER, "pizero.lan".getBytes(StandardCharsets.US_ASCII));
            NtsKeRecords.record(o, true, NTPV4_PORT, new byte[] {0x01, (byte) 0x23});
        }));
        assertEquals("pizero.lan", r.ntpServer().orElseThrow());
        assertEquals(0x123, r.ntpPort().getAsInt());
    }

    @Test
    void moreThanEightCookiesKeepsTheFirstEight() throws Exception {
        assertEquals(8, NtsKeRecords.parse(response(o -> NtsKeRecords.record(o, false, NEW_COOKIE, COOKIE)))
                .cookies().size());
    }

    @Test
    void anUnknownNonCriticalRecordIsIgnored() throws Exception {
        assertEquals(8, NtsKeRecords.parse(response(o -> NtsKeRecords.record(o, false, 0x1234, new byte[3])))
                .cookies().size());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("unknown critical record", response(o -> NtsKeRecords.record(o, true, 99, new byte[0])),
                        "unknown critical record of type 99"),
                Arguments.of("error", response(o -> NtsKeRecords.record(o, true, ERROR, new byte[] {0, 1})),
                        "error 1 (Bad Request)"),
                Arguments.of("warning", response(o -> NtsKeRecords.record(o, true, WARNING, new byte[] {0, 7})),
                        "warning"),
                Arguments.of("second next protocol",
                        response(o -> NtsKeRecords.record(o, true, NEXT_PROTOCOL, new byte[] {0, 0})),
                        "two NTS Next Protocol"),
                Arguments.of("second aead",
                        response(o -> NtsKeRecords.record(o, true, AEAD_ALGORITHM, new byte[] {0, 15})),
                        "two AEAD"),
                Arguments.of("empty cookie", response(o -> NtsKeRecords.record(o, false, NEW_COOKIE, new byte[0])),
                        "cookie of 0 bytes"),
                Arguments.of("cookie not a multiple of 4",
                        response(o -> NtsKeRecords.record(o, false, NEW_COOKIE, new byte[101])), "cookie of 101"),
                Arguments.of("cookie too long", response(o -> NtsKeRecords.record(o, false, NEW_COOKIE,
                        new byte[260])), "cookie of 260"),
                Arguments.of("cookie of another length", response(o -> NtsKeRecords.record(o, false, NEW_COOKIE,
                        new byte[96])), "different lengths"),
                Arguments.of("port zero", response(o -> NtsKeRecords.record(o, false, NTPV4_PORT, new byte[2])),
                        "not a port"),
                Arguments.of("port of 3 bytes", response(o -> NtsKeRecords.record(o, false, NTPV4_PORT,
                        new byte[] {0, 1, 2})), "not a port"),
                Arguments.of("server name with a space", response(o -> NtsKeRecords.record(o, false, NTPV4_SERVER,
                        "a b".getBytes(StandardCharsets.US_ASCII))), "not a host name's"),
                Arguments.of("two servers", response(o -> {
                    NtsKeRecords.record(o, false, NTPV4_SERVER, new byte[] {'a'});
                    NtsKeRecords.record(o, false, NTPV4_SERVER, new byte[] {'b'});
                }), "two NTPv4 Server"),
                Arguments.of("bytes after end", concat(valid(), new byte[] {0, 1}), "after End of Message"),
                Arguments.of("no end", Arrays.copyOf(valid(), valid().length - 4), "without End of Message"),
                Arguments.of("truncated body", Arrays.copyOf(valid(), 20), "claims"),
                Arguments.of("non-critical end", replaceTail(valid(), new byte[] {0, 0, 0, 0}), "must be critical"),
                Arguments.of("empty", new byte[0], "without End of Message"),
                Arguments.of("no cookie", onlyHeaders(true, true, false), "no cookie"),
                Arguments.of("no next protocol", onlyHeaders(false, true, true), "no NTS Next Protocol"),
                Arguments.of("no aead", onlyHeaders(true, false, true), "no AEAD"),
                Arguments.of("protocol refused", withHead(new byte[0], new byte[] {0, 15}), "supports none"),
                Arguments.of("other protocol", withHead(new byte[] {0, 1}, new byte[] {0, 15}), "did not offer"),
                Arguments.of("aead refused", withHead(new byte[] {0, 0}, new byte[0]), "supports none"),
                Arguments.of("other aead", withHead(new byte[] {0, 0}, new byte[] {0, 30}), "did not offer"),
                Arguments.of("two aeads chosen", withHead(new byte[] {0, 0}, new byte[] {0, 15, 0, 15}),
                        "did not offer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void everyBrokenRuleIsRefusedWithItsReason(String what, byte[] message, String reason) {
        NtsKeException e = assertThrows(NtsKeException.class, () -> NtsKeRecords.parse(message));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void readMessageStopsAtEndOfMessageAndBoundsTheLength() throws Exception {
        byte[] v = valid();
        byte[] withTrailer = concat(v, new byte[] {1, 2, 3});
        ByteArrayInputStream in = new ByteArrayInputStream(withTrailer);
        assertArrayEquals(v, NtsKeRecords.readMessage(in));
        assertEquals(3, in.available());
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        for (int i = 0; i < 70; i++) {
            NtsKeRecords.record(big, false, NEW_COOKIE, new byte[252]);
        }
        NtsKeException e = assertThrows(NtsKeException.class,
                () -> NtsKeRecords.readMessage(new ByteArrayInputStream(big.toByteArray())));
        assertTrue(e.getMessage().contains("longer than 16384"), e.getMessage());
        NtsKeException eof = assertThrows(NtsKeException.class,
                () -> NtsKeRecords.readMessage(new ByteArrayInputStream(Arrays.copyOf(v, 30))));
        assertTrue(eof.getMessage().contains("closed the connection"), eof.getMessage());
    }

    @Property(tries = 2000)
    void randomBytesNeverThrowPastTheApiAndAreNeverAccepted(@ForAll @Size(max = 600) byte[] data) {
        try {
            NtsKeRecords.parse(data);
            throw new AssertionError("accepted random bytes " + HexFormat.of().formatHex(data));
        } catch (NtsKeException expected) {
            // refused, as it must be
        }
    }

    @Property(tries = 3000)
    void mutatedResponsesNeverThrowPastTheApi(@ForAll("mutations") byte[] data) throws Exception {
        try {
            NtsKeRecords.Response r = NtsKeRecords.parse(data);
            // whatever is accepted keeps the invariants
            assertTrue(r.cookies().size() >= 1 && r.cookies().size() <= 8);
            for (byte[] c : r.cookies()) {
                assertTrue(c.length >= 4 && c.length <= 256 && c.length % 4 == 0);
            }
        } catch (NtsKeException refused) {
            // fine
        }
        try {
            NtsKeRecords.readMessage(new ByteArrayInputStream(data));
        } catch (NtsKeException refused) {
            // the only exception it may throw for what the server sends
        }
    }

    /**
     * Changing any byte of the Next Protocol record (critical, NTPv4 alone), of the AEAD record's type, length and
     * id, or of End of Message is refused. (The AEAD record's critical bit is free, RFC 8915 section 4.1.5.)
     */
    @Property(tries = 2000)
    void changingANegotiationOrEndByteIsRefused(@ForAll @IntRange(min = 0, max = 14) int which,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] v = valid();
        int[] positions = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, v.length - 4, v.length - 3, v.length - 2, v.length - 1};
        v[positions[which]] ^= (byte) xor;
        assertThrows(NtsKeException.class, () -> NtsKeRecords.parse(v));
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        byte[] v = valid();
        return Arbitraries.integers().between(0, v.length - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                    byte[] m = v.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        m[positions.get(i)] = values.get(i);
                    }
                    return m;
                }));
    }

    private static byte[] onlyHeaders(boolean next, boolean aead, boolean cookie) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (next) {
            NtsKeRecords.record(out, true, NEXT_PROTOCOL, new byte[] {0, 0});
        }
        if (aead) {
            NtsKeRecords.record(out, true, AEAD_ALGORITHM, new byte[] {0, 15});
        }
        if (cookie) {
            NtsKeRecords.record(out, false, NEW_COOKIE, COOKIE);
        }
        NtsKeRecords.record(out, true, END_OF_MESSAGE, new byte[0]);
        return out.toByteArray();
    }

    private static byte[] withHead(byte[] protocols, byte[] aeads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NtsKeRecords.record(out, true, NEXT_PROTOCOL, protocols);
        NtsKeRecords.record(out, true, AEAD_ALGORITHM, aeads);
        NtsKeRecords.record(out, false, NEW_COOKIE, COOKIE);
        NtsKeRecords.record(out, true, END_OF_MESSAGE, new byte[0]);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static byte[] replaceTail(byte[] a, byte[] tail) {
        byte[] r = a.clone();
        System.arraycopy(tail, 0, r, r.length - tail.length, tail.length);
        return r;
    }
}
