package dev.pintp.ntp.internal.nts;

import dev.pintp.ntp.internal.nts.NtsKeException.Failure;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The NTS-KE records of RFC 8915 section 4: the client's request and a strict reading of the server's response. Pure
 * functions on bytes, so that every rule is table- and property-tested. A record is a critical bit, a 15-bit type, a
 * 16-bit body length and the body.
 */
public final class NtsKeRecords {
    /** Record type: End of Message. */
    static final int END_OF_MESSAGE = 0;
    /** Record type: NTS Next Protocol Negotiation. */
    static final int NEXT_PROTOCOL = 1;
    /** Record type: Error. */
    static final int ERROR = 2;
    /** Record type: Warning. */
    static final int WARNING = 3;
    /** Record type: AEAD Algorithm Negotiation. */
    static final int AEAD_ALGORITHM = 4;
    /** Record type: New Cookie for NTPv4. */
    static final int NEW_COOKIE = 5;
    /** Record type: NTPv4 Server Negotiation. */
    static final int NTPV4_SERVER = 6;
    /** Record type: NTPv4 Port Negotiation. */
    static final int NTPV4_PORT = 7;

    /** Protocol id of NTPv4 in the Next Protocol Negotiation record. */
    public static final int PROTOCOL_NTPV4 = 0;
    /** AEAD id of AEAD_AES_SIV_CMAC_256 (RFC 5297), the one algorithm every NTS implementation supports. */
    public static final int AEAD_AES_SIV_CMAC_256 = 15;

    /**
     * The largest response read: chrony's limit on an NTS-KE message (16 KiB), far above 8 cookies of a few hundred
     * bytes; a server that sends more is broken or hostile.
     */
    public static final int MAX_MESSAGE_LENGTH = 16384;
    /** The most cookies kept: RFC 8915 section 5.7 has clients keep up to 8. */
    public static final int MAX_COOKIES = 8;
    /** The longest cookie accepted (chrony's limit); a cookie travels in every request, so a larger one is refused. */
    public static final int MAX_COOKIE_LENGTH = 256;
    /** The longest NTPv4 Server Negotiation name (a DNS name's limit). */
    static final int MAX_SERVER_NAME_LENGTH = 255;

    private static final int CRITICAL = 0x8000;

    private NtsKeRecords() {
    }

    /** What a valid response gave: the cookies (1 to 8, in order) and, if negotiated, the NTP server and port. */
    public record Response(List<byte[]> cookies, Optional<String> ntpServer, OptionalInt ntpPort) {
        /** Copies the cookies; rejects an empty list. */
        public Response {
            cookies = cookies.stream().map(byte[]::clone).toList();
            if (cookies.isEmpty()) {
                throw new IllegalArgumentException("no cookie");
            }
            Objects.requireNonNull(ntpServer, "ntpServer");
            Objects.requireNonNull(ntpPort, "ntpPort");
        }
    }

    /**
     * The client's request: Next Protocol Negotiation (NTPv4), AEAD Algorithm Negotiation (AES-SIV-CMAC-256), End of
     * Message; the first and last critical as RFC 8915 requires.
     */
    public static byte[] request() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        record(out, true, NEXT_PROTOCOL, u16(PROTOCOL_NTPV4));
        record(out, true, AEAD_ALGORITHM, u16(AEAD_AES_SIV_CMAC_256));
        record(out, true, END_OF_MESSAGE, new byte[0]);
        return out.toByteArray();
    }

    /**
     * Reads records from {@code in} up to and including End of Message, at most {@link #MAX_MESSAGE_LENGTH} bytes.
     * Does not interpret them beyond the record framing.
     *
     * @return the raw message
     * @throws NtsKeException PROTOCOL when the stream ends before End of Message or the message is too long
     * @throws IOException when reading fails
     */
    public static byte[] readMessage(InputStream in) throws IOException, NtsKeException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        byte[] header = new byte[4];
        while (true) {
            readFully(in, header, "a record header");
            int type = ((header[0] & 0x7F) << 8) | (header[1] & 0xFF);
            int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            if (message.size() + 4 + length > MAX_MESSAGE_LENGTH) {
                throw new NtsKeException(Failure.PROTOCOL, "NTS-KE response longer than " + MAX_MESSAGE_LENGTH
                        + " bytes");
            }
            byte[] body = new byte[length];
            readFully(in, body, "a record body");
            message.write(header, 0, 4);
            message.write(body, 0, length);
            if (type == END_OF_MESSAGE) {
                return message.toByteArray();
            }
        }
    }

    private static void readFully(InputStream in, byte[] into, String what) throws IOException, NtsKeException {
        int n = 0;
        while (n < into.length) {
            int r;
            try {
                r = in.read(into, n, into.length - n);
            } catch (EOFException e) {
                r = -1;
            }
            if (r < 0) {
                throw new NtsKeException(Failure.PROTOCOL, "the server closed the connection in " + what
                        + " before End of Message");
            }
            n += r;
        }
    }

    /**
     * Reads a server response strictly (RFC 8915 section 4): exactly one Next Protocol Negotiation record with NTPv4
     * alone, exactly one AEAD record with AES-SIV-CMAC-256 alone, at least one cookie, at most one server and one
     * port record, no Error, no Warning (none are defined, and an unknown one must be treated as an error), no
     * unknown critical record, End of Message (critical, empty) last and nothing after it. Never throws anything
     * but {@link NtsKeException}.
     *
     * @param message the bytes of the response
     * @return what the response gave
     * @throws NtsKeException PROTOCOL or SERVER_ERROR with the reason
     */
    public static Response parse(byte[] message) throws NtsKeException {
        Objects.requireNonNull(message, "message");
        if (message.length > MAX_MESSAGE_LENGTH) {
            throw protocol("response longer than " + MAX_MESSAGE_LENGTH + " bytes");
        }
        int nextProtocols = 0;
        int aeads = 0;
        List<byte[]> cookies = new ArrayList<>();
        int cookieLength = -1;
        String server = null;
        int port = -1;
        int at = 0;
        while (true) {
            if (message.length - at < 4) {
                throw protocol("response ends without End of Message");
            }
            boolean critical = (message[at] & 0x80) != 0;
            int type = ((message[at] & 0x7F) << 8) | (message[at + 1] & 0xFF);
            int length = ((message[at + 2] & 0xFF) << 8) | (message[at + 3] & 0xFF);
            at += 4;
            if (message.length - at < length) {
                throw protocol("record of type " + type + " claims " + length + " bytes, " + (message.length - at)
                        + " left");
            }
            byte[] body = Arrays.copyOfRange(message, at, at + length);
            at += length;
            switch (type) {
                case END_OF_MESSAGE -> {
                    if (!critical || length != 0) {
                        throw protocol("End of Message must be critical and empty");
                    }
                    if (at != message.length) {
                        throw protocol((message.length - at) + " bytes after End of Message");
                    }
                    if (nextProtocols != 1) {
                        throw protocol("no NTS Next Protocol Negotiation record");
                    }
                    if (aeads != 1) {
                        throw protocol("no AEAD Algorithm Negotiation record");
                    }
                    if (cookies.isEmpty()) {
                        throw protocol("no cookie");
                    }
                    return new Response(cookies, Optional.ofNullable(server),
                            port < 0 ? OptionalInt.empty() : OptionalInt.of(port));
                }
                case NEXT_PROTOCOL -> {
                    if (!critical) {
                        throw protocol("NTS Next Protocol Negotiation must be critical");
                    }
                    if (++nextProtocols > 1) {
                        throw protocol("two NTS Next Protocol Negotiation records");
                    }
                    if (length == 0) {
                        throw protocol("the server supports none of our protocols (NTPv4)");
                    }
                    if (length != 2 || u16(body, 0) != PROTOCOL_NTPV4) {
                        throw protocol("the server chose protocols we did not offer (" + hexIds(body) + ")");
                    }
                }
                case ERROR -> {
                    if (length != 2) {
                        throw protocol("Error record of " + length + " bytes");
                    }
                    throw new NtsKeException(Failure.SERVER_ERROR, "the NTS-KE server answered with error "
                            + errorName(u16(body, 0)));
                }
                case WARNING -> throw protocol("the server sent a warning"
                        + (length == 2 ? " with code " + u16(body, 0) : "") + "; no warning codes are defined");
                case AEAD_ALGORITHM -> {
                    if (++aeads > 1) {
                        throw protocol("two AEAD Algorithm Negotiation records");
                    }
                    if (length == 0) {
                        throw protocol("the server supports none of our AEAD algorithms (AEAD_AES_SIV_CMAC_256)");
                    }
                    if (length != 2 || u16(body, 0) != AEAD_AES_SIV_CMAC_256) {
                        throw protocol("the server chose AEAD algorithms we did not offer (" + hexIds(body) + ")");
                    }
                }
                case NEW_COOKIE -> {
                    if (length == 0 || length > MAX_COOKIE_LENGTH || length % 4 != 0) {
                        throw protocol("cookie of " + length + " bytes (must be 4 to " + MAX_COOKIE_LENGTH
                                + ", a multiple of 4)");
                    }
                    if (cookieLength >= 0 && length != cookieLength) {
                        throw protocol("cookies of different lengths (" + cookieLength + " and " + length + ")");
                    }
                    cookieLength = length;
                    if (cookies.size() < MAX_COOKIES) {
                        cookies.add(body);
                    }
                }
                case NTPV4_SERVER -> {
                    if (server != null) {
                        throw protocol("two NTPv4 Server Negotiation records");
                    }
                    server = serverName(body);
                }
                case NTPV4_PORT -> {
                    if (port >= 0) {
                        throw protocol("two NTPv4 Port Negotiation records");
                    }
                    if (length != 2 || u16(body, 0) == 0) {
                        throw protocol("NTPv4 Port Negotiation record is not a port");
                    }
                    port = u16(body, 0);
                }
                default -> {
                    if (critical) {
                        throw protocol("unknown critical record of type " + type);
                    }
                }
            }
        }
    }

    /** An ASCII host name or address of 1 to 255 letters, digits, '.', '-', ':' (RFC 8915 section 4.1.7). */
    private static String serverName(byte[] body) throws NtsKeException {
        if (body.length == 0 || body.length > MAX_SERVER_NAME_LENGTH) {
            throw protocol("NTPv4 Server Negotiation name of " + body.length + " bytes");
        }
        for (byte b : body) {
            boolean ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.'
                    || b == '-' || b == ':';
            if (!ok) {
                throw protocol("NTPv4 Server Negotiation name has a byte that is not a host name's (0x"
                        + Integer.toHexString(b & 0xFF) + ")");
            }
        }
        return new String(body, StandardCharsets.US_ASCII);
    }

    private static String errorName(int code) {
        return switch (code) {
            case 0 -> "0 (Unrecognized Critical Record)";
            case 1 -> "1 (Bad Request)";
            case 2 -> "2 (Internal Server Error)";
            default -> String.valueOf(code);
        };
    }

    private static String hexIds(byte[] body) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i + 1 < body.length && i < 16; i += 2) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(u16(body, i));
        }
        return body.length % 2 != 0 ? s + " and an odd byte" : s.toString();
    }

    private static NtsKeException protocol(String message) {
        return new NtsKeException(Failure.PROTOCOL, "bad NTS-KE response: " + message);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    /** Appends one record; visible for tests, which build responses with it. */
    static void record(ByteArrayOutputStream out, boolean critical, int type, byte[] body) {
        int t = type | (critical ? CRITICAL : 0);
        out.write(t >>> 8);
        out.write(t);
        out.write(body.length >>> 8);
        out.write(body.length);
        out.write(body, 0, body.length);
    }
}
