/**
 * Reading systemd-style configuration, and systemd-timesyncd's configuration as an {@code NtpConfig}: one package,
 * all of it API.
 */
module dev.pintp.sysconf {
    exports dev.pintp.sysconf;

    requires transitive dev.pintp.ntp; // TimesyncdNtp answers with NtpConfig and NtpServer
}
