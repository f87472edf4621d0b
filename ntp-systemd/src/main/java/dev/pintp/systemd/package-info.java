/** The ntp-monitor job and its installer: configuration files, drop-ins, systemctl, journal. */
package dev.pintp.systemd;
