package dev.pintp.probe;

import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.Escapes;
import dev.pintp.sysconf.TimesyncdConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** systemd-timesyncd's configuration (timesyncd.conf and its drop-ins, with timesyncd's precedence) as defaults. */
final class TimesyncdDefaults implements SystemDefaults {
    @Override
    public TimesyncdConfig read(Path root) throws ConfigFailure {
        if (!Files.isDirectory(root)) {
            // else a mistyped root would read as "nothing configured" and probe the built-in servers
            throw new ConfigFailure(Escapes.escape("--root " + root + ": not a directory"), null);
        }
        try {
            return TimesyncdConfig.load(root);
        } catch (ConfigException e) {
            throw new ConfigFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigFailure(Escapes.escape("cannot read the timesyncd configuration under " + root + ": "
                    + e), e);
        }
    }
}
