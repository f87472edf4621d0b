package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemNoncesTest {

    @Test
    void readsEightBytesBigEndianFromTheDeviceThenFallsBackWhenItEnds(@TempDir Path dir) throws IOException {
        Path device = dir.resolve("device");
        Files.write(device, new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 0x88, 9, 10, 11, 12, 13, 14, 15, 16, 17});
        SystemNonces nonces = new SystemNonces(device.toString());

        assertEquals(0x0102_0304_0506_0788L, nonces.getAsLong());
        assertEquals(0x090A_0B0C_0D0E_0F10L, nonces.getAsLong());
        assertFalse(nonces.usesFallback());
        nonces.getAsLong(); // one byte left: the device failed, a SecureRandom takes over
        assertTrue(nonces.usesFallback());
        assertDistinctAndAllBitsVary(nonces);
    }

    @Test
    void fallsBackToSecureRandomWithoutTheDevice(@TempDir Path dir) {
        SystemNonces nonces = new SystemNonces(dir.resolve("missing").toString());

        assertDistinctAndAllBitsVary(nonces);
        assertTrue(nonces.usesFallback());
    }

    @Test
    void theSharedInstanceGivesUnpredictableLooking64BitValues() {
        assertDistinctAndAllBitsVary(SystemNonces.INSTANCE);
        assertEquals(UdpSntpClient.systemNonces(), SystemNonces.INSTANCE);
    }

    /** 256 draws: all distinct, and every one of the 64 bits is seen both set and clear (fails by chance ~2^-249). */
    private static void assertDistinctAndAllBitsVary(SystemNonces nonces) {
        Set<Long> seen = new HashSet<>();
        long anySet = 0;
        long anyClear = 0;
        for (int i = 0; i < 256; i++) {
            long n = nonces.getAsLong();
            assertTrue(seen.add(n), "repeated nonce " + Long.toHexString(n));
            anySet |= n;
            anyClear |= ~n;
        }
        assertEquals(-1L, anySet, "some bit never set");
        assertEquals(-1L, anyClear, "some bit never clear");
    }
}
