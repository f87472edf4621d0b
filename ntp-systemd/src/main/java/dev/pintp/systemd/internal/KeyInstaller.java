package dev.pintp.systemd.internal;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyFile;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.NtpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code install --auth key}: the pair of chrony keyfiles that authenticate the Pi Zero's answers (RFC 8573
 * AES128-CMAC) and the lines the Pi Zero's chrony.conf and this job's ntp-monitor.conf need. The main Pi's keyfile
 * ({@link Settings#KEY_FILE}) and the copy for the Pi Zero ({@link #PI_ZERO_COPY}) are planned as {@link Plan}s of
 * {@link Change.WriteSecret}s: {@code --dry-run} prints the plan, a run applies the same plan, and neither ever
 * shows the key. They are created 0600 root with {@link AtomicFiles}, never through a symbolic link nor in a
 * directory another user can change; the key comes from {@link SecureRandom}. An existing key with the id is kept
 * (a second run changes nothing, and the Pi Zero keeps working); a keyfile without it gets the new key added, its
 * other lines kept byte for byte. An existing keyfile that {@link NtpKeyFile#read} refuses (a symbolic link, not
 * private, another user's) is an error, the same in a dry run. The files are not in the install manifest:
 * {@code uninstall} leaves the secrets, which the Pi Zero may still use, to the administrator.
 */
public final class KeyInstaller {
    /** The copy to move to the Pi Zero's {@code /etc/chrony/chrony.keys}. */
    public static final Path PI_ZERO_COPY = Path.of("/etc/ntp-monitor/pi-zero/chrony.keys");
    /** Where Debian's chrony reads its keys on the Pi Zero. */
    public static final String PI_ZERO_KEYFILE = "/etc/chrony/chrony.keys";

    private final Path root;
    private final AtomicFiles files;
    private final PrintStream out;
    private final SecureRandom random;

    /** Writes under {@code root}, prints to {@code out}, draws keys from {@code random}. */
    public KeyInstaller(Path root, AtomicFiles files, PrintStream out, SecureRandom random) {
        this.root = Objects.requireNonNull(root, "root");
        this.files = Objects.requireNonNull(files, "files");
        this.out = Objects.requireNonNull(out, "out");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * What {@link #plan} found: the plan, and the key both files hold once it is applied.
     *
     * @param plan the writes, each a {@link Change.WriteSecret}
     * @param key the key with the id: the one the main keyfile had, or a new one
     */
    record Keys(Plan plan, NtpKey key) {
    }

    /**
     * Creates (or keeps) key {@code keyId} in both files and prints what to do on the Pi Zero.
     *
     * @param settings the job's settings, to say whether ntp-monitor.conf already uses the key
     * @param keyId 1 to {@link NtpKey#MAX_ID}
     * @param dryRun print the plan, write nothing
     * @return 0, or 1 when a keyfile cannot be used or written there (an existing one refused by
     *     {@link NtpKeyFile#read}: not private...; a path refused by {@link Change.WriteSecret#checkPrivate})
     */
    public int install(Settings settings, long keyId, boolean dryRun) throws IOException {
        Keys keys;
        try {
            keys = plan(keyId);
        } catch (IOException e) {
            out.println("error: " + FailSafe.describe(e));
            return 1;
        }
        List<Change> planned = keys.plan().changes();
        if (dryRun) {
            out.print(keys.plan().describe());
        } else {
            for (Change c : keys.plan().apply(files).changed()) {
                out.println("changed " + c.path() + " (" + ((Change.WriteSecret) c).what()
                        + "; the key itself is not shown)");
            }
        }
        for (Path p : List.of(Settings.KEY_FILE, PI_ZERO_COPY)) {
            if (planned.stream().noneMatch(c -> c.path().equals(p))) {
                out.println("= " + p + " already holds " + keys.key());
            }
        }
        if (dryRun && !planned.isEmpty()) {
            out.println(planned.size() + " keyfile change(s); nothing written (--dry-run).");
        }
        out.print(instructions(settings, keyId));
        return 0;
    }

    /**
     * The plan for key {@code keyId}: the main keyfile gets a new key unless it has one with the id, the Pi Zero's
     * copy holds the same key; nothing is written.
     *
     * @throws IOException when an existing keyfile is refused or a path is not private
     * @throws IllegalArgumentException for an id out of range
     */
    Keys plan(long keyId) throws IOException {
        if (keyId < 1 || keyId > NtpKey.MAX_ID) {
            throw new IllegalArgumentException("--key-id must be 1 to " + NtpKey.MAX_ID + ", was " + keyId);
        }
        Change.WriteSecret.checkPrivate(root, Settings.KEY_FILE);
        Change.WriteSecret.checkPrivate(root, PI_ZERO_COPY);
        Optional<byte[]> main = existing(Settings.KEY_FILE);
        Optional<NtpKey> existing = main.flatMap(b -> keyFile(Settings.KEY_FILE, b).key(keyId));
        Plan.Builder plan = Plan.under(root);
        NtpKey key;
        if (existing.isPresent()) {
            key = existing.get();
        } else {
            byte[] secret = new byte[NtpKeyType.AES128.cipherKeyLength()];
            random.nextBytes(secret);
            key = new NtpKey(keyId, NtpKeyType.AES128, secret);
            byte[] old = main.orElse(new byte[0]);
            String added = (old.length == 0 ? "# chrony keyfile of ntp-monitor (ntp-systemd install --auth key):"
                    + " the same key is in the Pi Zero's " + PI_ZERO_KEYFILE + "\n"
                    : old[old.length - 1] == '\n' ? "" : "\n") + line(key);
            byte[] text = concat(old, added.getBytes(StandardCharsets.ISO_8859_1));
            plan.secret(Settings.KEY_FILE, verified(Settings.KEY_FILE, text, key),
                    main.isPresent() ? key + " added to its other keys" : key.toString());
        }
        existing(PI_ZERO_COPY);
        String copy = "# for the Pi Zero: " + PI_ZERO_KEYFILE + " (add this line if that file has keys)\n" + line(key);
        plan.secret(PI_ZERO_COPY, verified(PI_ZERO_COPY, copy.getBytes(StandardCharsets.ISO_8859_1), key),
                key.toString());
        return new Keys(plan.build(), key);
    }

    /** The bytes of the keyfile at {@code path}, refused as {@link NtpKeyFile#read} refuses; empty when absent. */
    private Optional<byte[]> existing(Path path) throws IOException {
        Path at = Settings.under(root, path);
        if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        NtpKeyFile.read(at); // not a symlink, owned by root, private
        return AtomicFiles.readBytes(at, NtpKeyFile.MAX_FILE_SIZE);
    }

    private static NtpKeyFile keyFile(Path path, byte[] bytes) {
        return NtpKeyFile.parse(path.toString(), new String(bytes, StandardCharsets.ISO_8859_1));
    }

    /** {@code bytes}, once they read back as a keyfile holding {@code key} under its id (not so: a key defined twice). */
    private static byte[] verified(Path path, byte[] bytes, NtpKey key) throws IOException {
        try {
            if (!keyFile(path, bytes).require(key.id()).equals(key)) {
                throw new IOException(path + ": would not hold the new " + key + "; nothing written");
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage() + "; nothing written", e);
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String line(NtpKey key) {
        return key.id() + " " + key.type().chronyName() + " HEX:"
                + HexFormat.of().formatHex(key.secret()).toUpperCase(Locale.ROOT) + "\n";
    }

    /** What to do on the Pi Zero and in ntp-monitor.conf. */
    static String instructions(Settings settings, long keyId) {
        boolean configured = false;
        for (NtpServer p : settings.ntp().primaries()) {
            configured |= p.auth() instanceof NtpAuth.SymmetricKey k && k.key().id() == keyId;
        }
        StringBuilder s = new StringBuilder();
        s.append("On the Pi Zero:\n")
                .append("  1. copy ").append(PI_ZERO_COPY).append(" there (scp, a USB stick) as ")
                .append(PI_ZERO_KEYFILE).append(", or add its key line if that file has keys; then\n")
                .append("     sudo chown root:_chrony ").append(PI_ZERO_KEYFILE).append("; sudo chmod 640 ")
                .append(PI_ZERO_KEYFILE).append('\n')
                .append("  2. /etc/chrony/chrony.conf needs this line (Debian's has it already):\n")
                .append("     keyfile ").append(PI_ZERO_KEYFILE).append('\n')
                .append("  3. sudo chronyc rekey   (or: sudo systemctl restart chrony)\n")
                .append("     chronyd then answers requests under key ").append(keyId)
                .append(" with a MAC; other clients are unaffected.\n");
        if (configured) {
            s.append(Settings.CONFIG_FILE).append(" already uses key ").append(keyId).append(".\n");
        } else {
            s.append("Then add to ").append(Settings.CONFIG_FILE).append(" (the job refuses unauthenticated answers"
                    + " from the primaries from then on):\n")
                    .append("  [Auth]\n  PrimaryKey=").append(keyId).append('\n');
        }
        return s.toString();
    }
}
