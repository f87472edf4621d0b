package dev.pintp.probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Where the probe finds its servers when none is given on the command line: systemd-timesyncd's configuration. */
interface SystemDefaults {

    /**
     * Reads the configuration under {@code root}.
     *
     * @throws ConfigFailure when the configuration cannot be read or parsed; the message names file, line and key
     */
    Settings read(Path root) throws ConfigFailure;

    /**
     * The settings the probe uses.
     *
     * @param ntp {@code NTP=} servers, empty when not set
     * @param fallbackNtp {@code FallbackNTP=} servers, empty when not set or set to nothing
     * @param fallbackNtpSet true when {@code FallbackNTP=} was assigned, even to nothing (then there is no fallback)
     * @param rootDistanceMax {@code RootDistanceMaxSec=}, when set
     */
    record Settings(List<String> ntp, List<String> fallbackNtp, boolean fallbackNtpSet,
            Optional<Duration> rootDistanceMax) {
        public Settings {
            ntp = List.copyOf(ntp);
            fallbackNtp = List.copyOf(fallbackNtp);
            Objects.requireNonNull(rootDistanceMax, "rootDistanceMax");
        }
    }

    /** A configuration that cannot be used: the message is one line for the user; exit code 3. */
    final class ConfigFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ConfigFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
