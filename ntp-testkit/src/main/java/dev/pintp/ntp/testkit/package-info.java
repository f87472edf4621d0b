/** A scriptable in-process SNTP server on loopback, for tests. Not for production use. */
package dev.pintp.ntp.testkit;
