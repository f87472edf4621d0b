package dev.pintp.probe;

import dev.pintp.sysconf.TimesyncdConfig;
import java.nio.file.Path;

/** Where the probe finds its servers when none is given on the command line: systemd-timesyncd's configuration. */
interface SystemDefaults {

    /**
     * Reads the configuration under {@code root}.
     *
     * @throws ConfigFailure when the configuration cannot be read or parsed; the message names file, line and key
     */
    TimesyncdConfig read(Path root) throws ConfigFailure;

    /** A configuration that cannot be used: the message is one line for the user; exit code 3. */
    final class ConfigFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ConfigFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
