/** Network Time Security (RFC 8915) for the SNTP engine: NTS-KE over TLS 1.3, cookies, AEAD; no API contract. */
package dev.pintp.ntp.internal.nts;
