/**
 * Implementation of the SNTP engine. No API contract: anything here may change in any release.
 */
package dev.pintp.ntp.internal;
