/** Implementation of the ntp-monitor job and installer; no API contract. */
package dev.pintp.systemd.internal;
