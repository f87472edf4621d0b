package dev.pintp.ntp.internal;

import dev.pintp.ntp.SntpClient;

/** The UDP SNTP client. Placeholder until the measurement engine lands (issue 2). */
public final class UdpSntpClient {
    private UdpSntpClient() {
    }

    /** Not yet implemented. */
    public static SntpClient ofDefaults() {
        throw new UnsupportedOperationException("the SNTP engine is not implemented yet");
    }
}
