package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The built Debian package and its installation in a lab's main Pi, for the lab classes that start from it. */
final class PackagedPi {
    static final String IN_CONTAINER = "/root/pintp_all.deb";
    static final String CONFFILE = "/etc/ntp-monitor/ntp-monitor.conf";
    /** Where the package ships the alerting rules (docs/metrics.md). */
    static final String RULES = "/usr/share/pintp/prometheus/pintp-alerts.yml";

    private PackagedPi() {
    }

    /** The one {@code pintp_*_all.deb} the ntp-deb module built; skips the class loudly when there is none. */
    static Path deb() {
        try (var s = Files.list(PackageLifecycleIT.DEB_DIR)) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("pintp_.*_all\\.deb")).toList();
            if (debs.size() != 1) {
                Lab.loudSkip("need exactly one pintp_*_all.deb in " + PackageLifecycleIT.DEB_DIR
                        + " (package the ntp-deb module): " + debs);
            }
            return debs.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code apt-get install ./pintp_..._all.deb} in the main Pi; returns apt's output. */
    static String install(Lab lab, Path deb) {
        lab.ctl("copy-in", deb.toString(), IN_CONTAINER).ok();
        String apt = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get install -y " + IN_CONTAINER + " 2>&1").out();
        assertEquals("install ok installed", PackageLifecycleIT.status(lab), apt);
        return apt;
    }
}
