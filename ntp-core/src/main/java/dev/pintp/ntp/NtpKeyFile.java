package dev.pintp.ntp;

import dev.pintp.ntp.internal.TrustedDirectories;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * chrony's keyfile, read as chronyd reads it (keys.c, cmdparse.c), so the Pi Zero's file can be copied as it is:
 * one key per line, {@code ID TYPE KEY} or {@code ID KEY} (type MD5 then); the key as ASCII text, with an optional
 * {@code ASCII:} prefix, or as {@code HEX:} and an even number of hex digits; white space around and between words
 * ignored; a line whose first non-blank character is one of {@code ! ; # %} is a comment. Like chronyd, a line that
 * cannot be used is skipped with a {@link Problem} and the other keys still load; unlike chronyd, pintp is strict
 * where chronyd's C parsing is lax ({@code 1abc} is not key id 1, {@code HEX:+f} is not a byte), knows the types
 * {@link NtpKeyType} names (others, such as SHA512, are skipped with a problem), and refuses to use an id defined
 * twice (chronyd picks one arbitrarily). No message ever contains a key. Immutable.
 */
public final class NtpKeyFile {
    /** chronyd reads lines into a 2048-byte buffer: longer lines are not keys. */
    public static final int MAX_LINE_LENGTH = 2047;
    /** The largest keyfile {@link #read} accepts. */
    public static final int MAX_FILE_SIZE = 1 << 20;

    /** A line that was skipped, and why (never the key itself). */
    public record Problem(int line, String message) {
        /** Rejects a null message. */
        public Problem {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return "line " + line + ": " + message;
        }
    }

    private final String source;
    private final Map<Long, NtpKey> keys;
    private final Set<Long> duplicates;
    private final List<Problem> problems;

    private NtpKeyFile(String source, Map<Long, NtpKey> keys, Set<Long> duplicates, List<Problem> problems) {
        this.source = source;
        this.keys = Collections.unmodifiableMap(keys);
        this.duplicates = Set.copyOf(duplicates);
        this.problems = List.copyOf(problems);
    }

    /**
     * Parses keyfile text. Never throws for any content.
     *
     * @param source where the text came from, for messages (a path, or a word such as "stdin")
     * @param text the file's content, one character per byte (ISO-8859-1), as chronyd sees it
     */
    public static NtpKeyFile parse(String source, String text) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(text, "text");
        Map<Long, NtpKey> keys = new LinkedHashMap<>();
        Set<Long> duplicates = new HashSet<>();
        List<Problem> problems = new ArrayList<>();
        int lineNumber = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNumber++;
            String raw = text.substring(start, end);
            start = end + 1;
            if (raw.length() > MAX_LINE_LENGTH) {
                problems.add(new Problem(lineNumber, "longer than " + MAX_LINE_LENGTH + " characters"));
                continue;
            }
            if (raw.indexOf('\0') >= 0) {
                problems.add(new Problem(lineNumber, "contains a NUL character"));
                continue;
            }
            List<String> words = words(raw);
            if (words.isEmpty()) {
                continue; // blank or comment
            }
            NtpKey key;
            try {
                key = parseKey(words);
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(lineNumber, e.getMessage()));
                continue;
            }
            if (keys.containsKey(key.id()) || duplicates.contains(key.id())) {
                problems.add(new Problem(lineNumber, "key " + key.id() + " is defined again; it will not be used"));
                keys.remove(key.id());
                duplicates.add(key.id());
                continue;
            }
            keys.put(key.id(), key);
        }
        return new NtpKeyFile(source, keys, duplicates, problems);
    }

    /**
     * Reads a keyfile from disk, refusing one that others could read or change: it must be a regular file (not a
     * symbolic link), owned by root or by the user running this process, with no permission bits for group or others
     * (mode 0600 or 0400), at most {@link #MAX_FILE_SIZE} bytes, in a directory others cannot change by the rule the
     * installer writes it by (docs/security.md: every directory from {@code /} down a real directory, not
     * a symbolic link, owned by root or this user, not writable by group or others, except a sticky one above the
     * file's own, as {@code /tmp}). A relative path is read from the working directory, {@code .} and {@code ..}
     * resolved by name.
     *
     * @throws IOException when the file cannot be read or is refused; the message names the file and the fix
     */
    public static NtpKeyFile read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Path file = path.toAbsolutePath().normalize(); // what is checked is what is opened
        Optional<TrustedDirectories.Refusal> directories = file.getParent() == null ? Optional.empty()
                : TrustedDirectories.refusal(file.getParent());
        if (directories.isPresent()) {
            throw new IOException(path + ": the keyfile is refused: " + directories.get().reason());
        }
        PosixFileAttributes before = checkSecret(file, path);
        byte[] content;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                InputStream in = Channels.newInputStream(ch)) {
            content = in.readNBytes(MAX_FILE_SIZE + 1);
        }
        PosixFileAttributes after = checkSecret(file, path);
        if (!Objects.equals(before.fileKey(), after.fileKey())) {
            throw new IOException(path + ": the keyfile was replaced while it was read");
        }
        if (content.length > MAX_FILE_SIZE) {
            throw new IOException(path + ": larger than " + MAX_FILE_SIZE + " bytes: not a keyfile");
        }
        return parse(path.toString(), new String(content, StandardCharsets.ISO_8859_1));
    }

    /** The checks of {@code file}'s own attributes; messages name {@code path}, as the caller gave it. */
    private static PosixFileAttributes checkSecret(Path file, Path path) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            throw new IOException(path + ": the keyfile is a symbolic link; name the file itself");
        }
        if (!a.isRegularFile()) {
            throw new IOException(path + ": the keyfile is not a regular file");
        }
        String owner = a.owner().getName();
        String user = System.getProperty("user.name", "");
        if (!owner.equals("root") && !owner.equals(user)) {
            throw new IOException(path + ": the keyfile is owned by " + owner + ", not by root or " + user
                    + ": another user could have written it");
        }
        Set<PosixFilePermission> p = a.permissions();
        for (PosixFilePermission bit : p) {
            if (bit.name().startsWith("GROUP") || bit.name().startsWith("OTHERS")) {
                throw new IOException(path + ": the keyfile is accessible to group or others (mode "
                        + mode(p) + "); it holds secrets: chmod 600 " + path);
            }
        }
        return a;
    }

    private static String mode(Set<PosixFilePermission> p) {
        int m = 0;
        for (PosixFilePermission bit : p) {
            m |= 1 << (8 - bit.ordinal());
        }
        return String.format("%04o", m);
    }

    /** The words of a line after chronyd's CPS_NormalizeLine: none for a blank line or a comment. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>(3);
        int i = 0;
        int n = line.length();
        boolean first = true;
        while (i < n) {
            char c = line.charAt(i);
            if (isSpace(c)) {
                i++;
                continue;
            }
            if (first && "!;#%".indexOf(c) >= 0) {
                break;
            }
            first = false;
            int j = i;
            while (j < n && !isSpace(line.charAt(j))) {
                j++;
            }
            words.add(line.substring(i, j));
            i = j;
        }
        return words;
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static NtpKey parseKey(List<String> words) {
        if (words.size() < 2 || words.size() > 3) {
            throw new IllegalArgumentException("expected ID [TYPE] KEY, found " + words.size() + " word(s)");
        }
        long id = parseId(words.get(0));
        String typeName = words.size() == 3 ? words.get(1) : "MD5";
        String value = words.get(words.size() - 1);
        byte[] secret = decode(value, id);
        NtpKeyType type = NtpKeyType.ofChronyName(typeName);
        if (type == null) {
            throw new IllegalArgumentException("key " + id + " has type " + printableType(typeName)
                    + ", which pintp does not support (AES128, AES256, SHA1, SHA256, MD5)");
        }
        return new NtpKey(id, type, secret);
    }

    private static long parseId(String word) {
        if (word.isEmpty() || word.length() > 10) {
            throw new IllegalArgumentException("the key id is not a number from 1 to " + NtpKey.MAX_ID);
        }
        long id = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("the key id is not a number from 1 to " + NtpKey.MAX_ID);
            }
            id = id * 10 + (c - '0');
        }
        if (id < 1 || id > NtpKey.MAX_ID) {
            throw new IllegalArgumentException("the key id is not a number from 1 to " + NtpKey.MAX_ID);
        }
        return id;
    }

    private static byte[] decode(String value, long id) {
        byte[] out;
        if (value.startsWith("HEX:")) {
            String hex = value.substring(4);
            if (hex.length() % 2 != 0) {
                throw new IllegalArgumentException("key " + id + ": odd number of hex digits after HEX:");
            }
            out = new byte[hex.length() / 2];
            for (int i = 0; i < out.length; i++) {
                int hi = hexValue(hex.charAt(2 * i));
                int lo = hexValue(hex.charAt(2 * i + 1));
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("key " + id + ": not a hex digit after HEX:");
                }
                out[i] = (byte) (hi << 4 | lo);
            }
        } else {
            String ascii = value.startsWith("ASCII:") ? value.substring(6) : value;
            out = ascii.getBytes(StandardCharsets.ISO_8859_1);
        }
        if (out.length == 0) {
            throw new IllegalArgumentException("key " + id + " is empty");
        }
        return out;
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** A type word is shown only when it looks like a type name, so that a misplaced key is never printed. */
    private static String printableType(String word) {
        if (word.length() <= 16 && word.matches("[A-Z][A-Z0-9-]*")) {
            return word;
        }
        return "(not a type name)";
    }

    /** Where the keys came from, as given to {@link #parse} or the path of {@link #read}. */
    public String source() {
        return source;
    }

    /** The usable keys, in file order. */
    public List<NtpKey> keys() {
        return List.copyOf(keys.values());
    }

    /** The lines that were skipped, in file order. */
    public List<Problem> problems() {
        return problems;
    }

    /** The key with {@code id}, if it was read and defined once. */
    public Optional<NtpKey> key(long id) {
        return Optional.ofNullable(keys.get(id));
    }

    /**
     * The key with {@code id}, or an {@link IllegalArgumentException} whose message says why there is none (not in
     * the file, defined twice, or on a line that was skipped, with that line's problem).
     */
    public NtpKey require(long id) {
        NtpKey key = keys.get(id);
        if (key != null) {
            return key;
        }
        if (duplicates.contains(id)) {
            throw new IllegalArgumentException(source + ": key " + id + " is defined more than once");
        }
        for (Problem p : problems) {
            if (p.message().startsWith("key " + id + " ") || p.message().startsWith("key " + id + ":")) {
                throw new IllegalArgumentException(source + ": key " + id + " cannot be used: " + p);
            }
        }
        throw new IllegalArgumentException(source + ": no key " + id
                + (problems.isEmpty() ? "" : " (" + problems.size() + " line(s) skipped: " + problems + ")"));
    }

    @Override
    public String toString() {
        return "NtpKeyFile{" + source + ", " + keys.size() + " key(s), " + problems.size() + " problem(s)}";
    }
}
