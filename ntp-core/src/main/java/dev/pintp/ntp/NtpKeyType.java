package dev.pintp.ntp;

/**
 * The MAC algorithm of a symmetric key, named as in chrony's keyfile. Hash types make chrony's "NTP MAC", the hash of
 * key and packet ({@code H(key || packet)}, RFC 5905 appendix A.2's construction, not an HMAC); cipher types make
 * AES-CMAC (RFC 4493) as RFC 8573 recommends. Supported: those chrony calls AES128, AES256, SHA1, SHA256 and MD5.
 */
public enum NtpKeyType {
    /** MD5 hash of key and packet, 16 bytes. Weak (a length-extension attack adds fields); only with an opt-in. */
    MD5("MD5", 16, 0),
    /** SHA-1 hash of key and packet, 20 bytes. */
    SHA1("SHA1", 20, 0),
    /**
     * SHA-256 hash of key and packet, 32 bytes: longer than an NTPv4 MAC may be (RFC 7822), so requests with such a
     * key are sent as NTPv3, as chrony sends them.
     */
    SHA256("SHA256", 32, 0),
    /** AES-128-CMAC, 16 bytes; the key must be exactly 128 bits. */
    AES128("AES128", 16, 16),
    /** AES-256-CMAC, 16 bytes; the key must be exactly 256 bits. */
    AES256("AES256", 16, 32);

    private final String chronyName;
    private final int digestLength;
    private final int cipherKeyLength;

    NtpKeyType(String chronyName, int digestLength, int cipherKeyLength) {
        this.chronyName = chronyName;
        this.digestLength = digestLength;
        this.cipherKeyLength = cipherKeyLength;
    }

    /** The name in chrony's keyfile: {@code AES128}, {@code SHA1}, ... */
    public String chronyName() {
        return chronyName;
    }

    /** The length of the full MAC in bytes, before any truncation. */
    public int digestLength() {
        return digestLength;
    }

    /** True for AES-CMAC types, whose key length is fixed. */
    public boolean isCipher() {
        return cipherKeyLength > 0;
    }

    /** For a cipher type the required key length in bytes, else 0 (any length of 1 byte or more). */
    public int cipherKeyLength() {
        return cipherKeyLength;
    }

    /** The type of a chrony name (case-sensitive, as chrony), or null when pintp does not support it. */
    public static NtpKeyType ofChronyName(String name) {
        for (NtpKeyType t : values()) {
            if (t.chronyName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
