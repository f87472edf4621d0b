/**
 * pintp's embeddable SNTP client: measure servers, validate replies, select a source, decide whether the local clock
 * can be trusted, and monitor that decision over time. This package is the public API.
 */
package dev.pintp.ntp;
