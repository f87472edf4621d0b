package dev.pintp.systemd.internal;

import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyFile;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.sysconf.ConfigException;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code install --auth key}: the pair of chrony keyfiles that authenticate the Pi Zero's answers (RFC 8573
 * AES128-CMAC) and the lines the Pi Zero's chrony.conf and this job's ntp-monitor.conf need. The main Pi's keyfile is
 * the one the job reads: with {@code [Auth] PrimaryKey=} set, {@code KeyFile=} (default {@link Settings#KEY_FILE}),
 * found by {@link #load} through the job's own {@link Settings#load} reading; without it, {@link Settings#KEY_FILE}
 * (the job refuses {@code KeyFile=} without {@code PrimaryKey=}). The key id is {@code --key-id}, else
 * {@code PrimaryKey=}, else 1. The main keyfile and the copy for the Pi Zero ({@link #PI_ZERO_COPY}) are planned
 * as {@link Plan}s of {@link Change.WriteSecret}s: {@code --dry-run} prints the plan, a run applies the same plan,
 * and neither ever shows the key. They are created 0600 root with {@link AtomicFiles}, never through a symbolic link
 * nor in a directory another user can change; the key comes from {@link SecureRandom}. An existing key with the id
 * is kept (a second run changes nothing, and the Pi Zero keeps working); a keyfile without it gets the new key added,
 * its other lines kept byte for byte. An existing keyfile that {@link NtpKeyFile#read} refuses (a symbolic link, not
 * private, another user's) is an error, the same in a dry run; so is a configuration the job would refuse. The
 * files are not in the install manifest: {@code uninstall} leaves the secrets, which the Pi Zero may still use, to
 * the administrator.
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
    /** What {@link #load} found: {@code --key-id}, {@code PrimaryKey=}, and the plan for a configured keyfile. */
    private Optional<Long> requested = Optional.empty();
    private OptionalLong configured = OptionalLong.empty();
    private Keys planned;

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
     * @param file the main keyfile (a path on the target system)
     */
    record Keys(Plan plan, NtpKey key, Path file) {
    }

    /**
     * The job's settings as they will be once the key is installed, read by {@link Settings#load} as the job reads
     * them; with {@code PrimaryKey=} set, the keyfile it names is planned here, and the settings hold its key.
     *
     * @param env the process environment, as for {@link Settings#load(Path, Map)}
     * @param keyId {@code --key-id} if given (1 to {@link NtpKey#MAX_ID})
     * @throws ConfigException a configuration the job would refuse (file, line and key), also a configured keyfile
     *     that cannot be used or written (a symbolic link, not private, in a directory another user can change), or
     *     that lacks {@code PrimaryKey=}'s key while {@code --key-id} names another one
     * @throws IOException when the configuration cannot be read
     */
    public Settings load(Map<String, String> env, Optional<Long> keyId) throws ConfigException, IOException {
        keyId.ifPresent(KeyInstaller::checkId);
        requested = keyId;
        configured = OptionalLong.empty();
        planned = null;
        return Settings.load(root, env, (path, id) -> {
            configured = OptionalLong.of(id);
            planned = plan(path, keyId.orElse(id));
            if (planned.key().id() == id) {
                return keyFile(path, line(planned.key()).getBytes(StandardCharsets.ISO_8859_1));
            }
            // another id: PrimaryKey='s key must be there until PrimaryKey= names the new one
            return keyFile(path, existing(path).orElse(new byte[0]));
        });
    }

    /**
     * Creates (or keeps) the key in both files and prints what to do on the Pi Zero; {@link #load} first.
     *
     * @param settings what {@link #load} returned
     * @param dryRun print the plan, write nothing
     * @return 0, or 1 when a keyfile cannot be used or written there (an existing one refused by
     *     {@link NtpKeyFile#read}: not private...; a path refused by {@link Change.WriteSecret#checkPrivate})
     */
    public int install(Settings settings, boolean dryRun) throws IOException {
        Objects.requireNonNull(settings, "settings");
        Keys keys = planned;
        if (keys == null) {
            try {
                keys = plan(Settings.KEY_FILE, requested.orElse(1L));
            } catch (IOException e) {
                out.println("error: " + FailSafe.describe(e));
                return 1;
            }
        }
        List<Change> changes = keys.plan().changes();
        if (dryRun) {
            out.print(keys.plan().describe());
        } else {
            for (Change c : keys.plan().apply(files).changed()) {
                out.println("changed " + c.path() + " (" + ((Change.WriteSecret) c).what()
                        + "; the key itself is not shown)");
            }
        }
        for (Path p : List.of(keys.file(), PI_ZERO_COPY)) {
            if (changes.stream().noneMatch(c -> c.path().equals(p))) {
                out.println("= " + p + " already holds " + keys.key());
            }
        }
        if (dryRun && !changes.isEmpty()) {
            out.println(changes.size() + " keyfile change(s); nothing written (--dry-run).");
        }
        out.print(instructions(configured, keys.key().id(), keys.file()));
        return 0;
    }

    private static void checkId(long keyId) {
        if (keyId < 1 || keyId > NtpKey.MAX_ID) {
            throw new IllegalArgumentException("--key-id must be 1 to " + NtpKey.MAX_ID + ", was " + keyId);
        }
    }

    /** {@link #plan(Path, long)} for {@link Settings#KEY_FILE}. */
    Keys plan(long keyId) throws IOException {
        return plan(Settings.KEY_FILE, keyId);
    }

    /**
     * The plan for key {@code keyId}: the main keyfile {@code file} gets a new key unless it has one with the id, the
     * Pi Zero's copy holds the same key; nothing is written.
     *
     * @throws IOException when an existing keyfile is refused or a path is not private
     * @throws IllegalArgumentException for an id out of range
     */
    Keys plan(Path file, long keyId) throws IOException {
        checkId(keyId);
        Change.WriteSecret.checkPrivate(root, file);
        Change.WriteSecret.checkPrivate(root, PI_ZERO_COPY);
        Optional<byte[]> main = existing(file);
        Optional<NtpKey> existing = main.flatMap(b -> keyFile(file, b).key(keyId));
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
            plan.secret(file, verified(file, text, key),
                    main.isPresent() ? key + " added to its other keys" : key.toString());
        }
        existing(PI_ZERO_COPY);
        String copy = "# for the Pi Zero: " + PI_ZERO_KEYFILE + " (add this line if that file has keys)\n" + line(key);
        plan.secret(PI_ZERO_COPY, verified(PI_ZERO_COPY, copy.getBytes(StandardCharsets.ISO_8859_1), key),
                key.toString());
        return new Keys(plan.build(), key, file);
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

    /**
     * What to do on the Pi Zero and in ntp-monitor.conf.
     *
     * @param configured {@code PrimaryKey=}, if set
     * @param keyId the key both files hold
     * @param file the main keyfile
     */
    static String instructions(OptionalLong configured, long keyId, Path file) {
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
        if (configured.isEmpty()) {
            s.append("Then add to ").append(Settings.CONFIG_FILE).append(" (the job refuses unauthenticated answers"
                    + " from the primaries from then on):\n")
                    .append("  [Auth]\n  PrimaryKey=").append(keyId).append('\n');
        } else if (configured.getAsLong() == keyId) {
            s.append(Settings.CONFIG_FILE).append(" already uses key ").append(keyId).append(" of ").append(file)
                    .append(".\n");
        } else {
            s.append("Then, once the Pi Zero has key ").append(keyId).append(", change PrimaryKey=")
                    .append(configured.getAsLong()).append(" to PrimaryKey=").append(keyId).append(" in ")
                    .append(Settings.CONFIG_FILE).append(" (key ").append(keyId).append(" is in ").append(file)
                    .append(").\n");
        }
        return s.toString();
    }
}
