package dev.pintp.probe;

import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.TimesyncdConfig;
import java.io.IOException;
import java.nio.file.Path;

/** systemd-timesyncd's configuration (timesyncd.conf and its drop-ins, with timesyncd's precedence) as defaults. */
final class TimesyncdDefaults implements SystemDefaults {
    @Override
    public Settings read(Path root) throws ConfigFailure {
        TimesyncdConfig c;
        try {
            c = TimesyncdConfig.load(root);
        } catch (ConfigException e) {
            throw new ConfigFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigFailure("cannot read the timesyncd configuration under " + root + ": " + e, e);
        }
        return new Settings(c.ntp(), c.fallbackNtp(), c.fallbackNtpSet(), c.rootDistanceMax());
    }
}
