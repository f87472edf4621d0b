package dev.pintp.ntp.internal;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * 64-bit request nonces from the operating system's CSPRNG: eight bytes read from {@code /dev/urandom}, the device
 * that {@link SecureRandom}'s default (NativePRNG) reads as well. Where the device cannot be opened or read (not a
 * Unix system), every nonce comes from a {@link SecureRandom} instead. Reading the device directly spares a one-shot
 * check the set-up of the security providers and NativePRNG's SHA1PRNG mixing, about 15 ms of its start-up
 * (docs/probe.md, "Start-up cost"). Thread-safe.
 */
final class SystemNonces implements LongSupplier {
    /** The instance on {@code /dev/urandom}; the device is opened on first use and then kept open. */
    static final SystemNonces INSTANCE = new SystemNonces("/dev/urandom");

    private final String device;
    private final byte[] bytes = new byte[Long.BYTES];
    private InputStream in;
    private SecureRandom fallback;

    /** Nonces read from {@code device}, or from a {@link SecureRandom} once it fails. */
    SystemNonces(String device) {
        this.device = device;
    }

    @Override
    public synchronized long getAsLong() {
        if (fallback == null) {
            try {
                return read();
            } catch (IOException e) {
                close();
                fallback = new SecureRandom();
            }
        }
        return fallback.nextLong();
    }

    /** True once the device failed and nonces come from {@link SecureRandom}. */
    synchronized boolean usesFallback() {
        return fallback != null;
    }

    private long read() throws IOException {
        if (in == null) {
            in = new FileInputStream(device);
        }
        int n = 0;
        while (n < bytes.length) {
            int r = in.read(bytes, n, bytes.length - n);
            if (r < 0) {
                throw new IOException(device + ": end of file");
            }
            n += r;
        }
        long value = 0;
        for (byte b : bytes) {
            value = value << 8 | (b & 0xFF);
        }
        return value;
    }

    private void close() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing more to do with a device that failed
            }
            in = null;
        }
    }
}
