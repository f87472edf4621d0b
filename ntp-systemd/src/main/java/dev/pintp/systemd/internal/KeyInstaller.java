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
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code install --auth key}: the pair of chrony keyfiles that authenticate the Pi Zero's answers (RFC 8573
 * AES128-CMAC) and the lines the Pi Zero's chrony.conf and this job's ntp-monitor.conf need. The main Pi's keyfile
 * ({@link Settings#KEY_FILE}) and the copy for the Pi Zero ({@link #PI_ZERO_COPY}) are created 0600 root with
 * {@link AtomicFiles}; the key comes from {@link SecureRandom}. An existing key with the id is kept (a second run
 * changes nothing, and the Pi Zero keeps working); a keyfile without it gets the new key added. The key is never
 * printed, also not with {@code --dry-run}. The files are not in the install manifest: {@code uninstall} leaves
 * the secrets, which the Pi Zero may still use, to the administrator.
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
     * Creates (or keeps) key {@code keyId} in both files and prints what to do on the Pi Zero.
     *
     * @param settings the job's settings, to say whether ntp-monitor.conf already uses the key
     * @param keyId 1 to {@link NtpKey#MAX_ID}
     * @param dryRun say what would be written, write nothing
     * @return 0, or 1 when an existing keyfile cannot be used (refused by {@link NtpKeyFile#read}: not private...)
     */
    public int install(Settings settings, long keyId, boolean dryRun) throws IOException {
        if (keyId < 1 || keyId > NtpKey.MAX_ID) {
            throw new IllegalArgumentException("--key-id must be 1 to " + NtpKey.MAX_ID + ", was " + keyId);
        }
        Path main = Settings.under(root, Settings.KEY_FILE);
        String mainText = "";
        Optional<NtpKey> existing = Optional.empty();
        if (Files.exists(main, LinkOption.NOFOLLOW_LINKS)) {
            NtpKeyFile file;
            try {
                file = NtpKeyFile.read(main);
            } catch (IOException e) {
                out.println("error: " + e.getMessage());
                return 1;
            }
            existing = file.key(keyId);
            mainText = AtomicFiles.read(main).orElse("");
        }
        NtpKey key;
        String line;
        if (existing.isPresent()) {
            key = existing.get();
            line = line(key);
        } else {
            byte[] secret = new byte[NtpKeyType.AES128.cipherKeyLength()];
            random.nextBytes(secret);
            key = new NtpKey(keyId, NtpKeyType.AES128, secret);
            line = line(key);
            String header = mainText.isEmpty() ? "# chrony keyfile of ntp-monitor (ntp-systemd install --auth key):"
                    + " the same key is in the Pi Zero's " + PI_ZERO_KEYFILE + "\n" : "";
            mainText = mainText + (mainText.isEmpty() || mainText.endsWith("\n") ? "" : "\n") + header + line;
        }
        String copyText = "# for the Pi Zero: " + PI_ZERO_KEYFILE + " (add this line if that file has keys)\n" + line;
        Path copy = Settings.under(root, PI_ZERO_COPY);
        boolean mainChanges = existing.isEmpty();
        boolean copyChanges = !AtomicFiles.hasContent(copy, copyText.getBytes(StandardCharsets.UTF_8));
        String what = key + "; the key itself is not shown";
        if (dryRun) {
            out.println(mainChanges ? "+ " + (Files.exists(main) ? "add to " : "create ") + Settings.KEY_FILE
                    + " (0600 root): " + what : "= " + Settings.KEY_FILE + " already holds " + key);
            out.println(copyChanges ? "+ write " + PI_ZERO_COPY + " (0600 root): " + what
                    : "= " + PI_ZERO_COPY + " already holds " + key);
        } else {
            if (mainChanges) {
                files.write(main, mainText.getBytes(StandardCharsets.UTF_8), Optional.of(AtomicFiles.LOCK_MODE));
                out.println("changed " + Settings.KEY_FILE + " (" + what + ")");
            }
            if (copyChanges) {
                files.write(copy, copyText.getBytes(StandardCharsets.UTF_8), Optional.of(AtomicFiles.LOCK_MODE));
                out.println("changed " + PI_ZERO_COPY + " (" + what + ")");
            }
        }
        out.print(instructions(settings, keyId));
        return 0;
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
