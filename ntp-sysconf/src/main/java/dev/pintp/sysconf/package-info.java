/**
 * Reading systemd-style configuration: INI files with positions for error messages, time spans, and
 * systemd-timesyncd's configuration with its drop-in precedence.
 */
package dev.pintp.sysconf;
