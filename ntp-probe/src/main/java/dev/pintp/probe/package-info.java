/** The command-line probe: argument parsing and output formats over ntp-core. */
package dev.pintp.probe;
