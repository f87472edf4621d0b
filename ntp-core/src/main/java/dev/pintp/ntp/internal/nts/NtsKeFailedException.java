package dev.pintp.ntp.internal.nts;

import java.io.IOException;

/** NTS-KE gave no keys and cookies, so no NTS request can be made; the message is the reason in plain words. */
public final class NtsKeFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With the reason. */
    public NtsKeFailedException(String message) {
        super(message);
    }
}
