/** Builds the Debian package's file tree at build time (the ntp-deb module); no API contract. */
package dev.pintp.deb;
