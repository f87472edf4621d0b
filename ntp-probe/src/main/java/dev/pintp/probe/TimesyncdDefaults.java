package dev.pintp.probe;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** systemd-timesyncd's configuration as the probe's defaults. Placeholder until ntp-sysconf lands. */
final class TimesyncdDefaults implements SystemDefaults {
    @Override
    public Settings read(Path root) {
        return new Settings(List.of(), List.of(), Optional.empty());
    }
}
