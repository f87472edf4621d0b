/** A scriptable in-process SNTP server on loopback, the time scale and the CI rule, for tests; not for production. */
package dev.pintp.ntp.testkit;
