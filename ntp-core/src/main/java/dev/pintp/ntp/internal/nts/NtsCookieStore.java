package dev.pintp.ntp.internal.nts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The file that keeps one NTS server's keys and cookies between processes (the timer job runs a new one every
 * minute). Text, one item a line:
 *
 * <pre>
 * pintp-nts 1
 * server HOST PORT
 * c2s HEX
 * s2c HEX
 * cookie HEX      (0 to 8 lines)
 * </pre>
 *
 * <p>It holds secrets: written with mode 0600 from its creation (a temporary file made with O_EXCL and O_NOFOLLOW in
 * the same directory, then renamed over the old one, so a reader sees the old or the new file, never half of one);
 * read without following a symbolic link and at most {@link #MAX_BYTES}; a file for another server, or one that does
 * not parse, is ignored (a new NTS-KE follows), never partly used.
 */
public final class NtsCookieStore {
    /** Bound on the file: 8 cookies of 256 bytes in hex and the keys fit in well under 8 KiB. */
    static final int MAX_BYTES = 8192;
    private static final HexFormat HEX = HexFormat.of();
    private static final java.util.function.LongSupplier RANDOM = dev.pintp.ntp.internal.UdpSntpClient.systemNonces();

    private NtsCookieStore() {
    }

    /** What the file holds. */
    record Saved(byte[] c2s, byte[] s2c, List<byte[]> cookies) {
    }

    /** The saved state for {@code host}:{@code port}, or empty when absent, for another server, or unreadable. */
    static Optional<Saved> load(Path file, String host, int port) {
        String text;
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
                InputStream in = Channels.newInputStream(ch)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return Optional.empty();
            }
            text = new String(bytes, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return Optional.empty();
        }
        String[] lines = text.split("\n");
        if (lines.length < 4 || !lines[0].equals("pintp-nts 1") || !lines[1].equals("server " + host + " " + port)) {
            return Optional.empty();
        }
        try {
            byte[] c2s = hexLine(lines[2], "c2s ");
            byte[] s2c = hexLine(lines[3], "s2c ");
            if (c2s.length != NtsKeClient.KEY_LENGTH || s2c.length != NtsKeClient.KEY_LENGTH) {
                return Optional.empty();
            }
            List<byte[]> cookies = new ArrayList<>();
            for (int i = 4; i < lines.length; i++) {
                byte[] c = hexLine(lines[i], "cookie ");
                if (c.length == 0 || c.length > NtsKeRecords.MAX_COOKIE_LENGTH || c.length % 4 != 0
                        || cookies.size() == NtsKeRecords.MAX_COOKIES) {
                    return Optional.empty();
                }
                cookies.add(c);
            }
            return Optional.of(new Saved(c2s, s2c, cookies));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static byte[] hexLine(String line, String prefix) {
        if (!line.startsWith(prefix)) {
            throw new IllegalArgumentException("expected " + prefix);
        }
        return HEX.parseHex(line.substring(prefix.length()));
    }

    /** Replaces the file atomically with this state, mode 0600. */
    static void save(Path file, String host, int port, byte[] c2s, byte[] s2c, List<byte[]> cookies)
            throws IOException {
        StringBuilder s = new StringBuilder("pintp-nts 1\nserver ").append(host).append(' ').append(port)
                .append("\nc2s ").append(HEX.formatHex(c2s)).append("\ns2c ").append(HEX.formatHex(s2c)).append('\n');
        for (byte[] c : cookies) {
            s.append("cookie ").append(HEX.formatHex(c)).append('\n');
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        for (int attempt = 0; tmp == null; attempt++) {
            Path candidate = dir.resolve("." + file.getFileName() + ".tmp" + Long.toUnsignedString(RANDOM.getAsLong(),
                    36));
            try (FileChannel ch = FileChannel.open(candidate, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                tmp = candidate;
                ByteBuffer b = ByteBuffer.wrap(s.toString().getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 8) {
                    throw e;
                }
            } catch (IOException e) {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
                throw e;
            }
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Removes the file (after an NTS NAK); absent is fine. */
    static void delete(Path file) throws IOException {
        try {
            Files.delete(file);
        } catch (NoSuchFileException e) {
            // already gone
        }
    }
}
