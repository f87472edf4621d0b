package dev.pintp.ntp.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CiTest {
    @Test
    void anyNonEmptyValueOfCiIsACiRun() {
        for (String ci : new String[] {"true", "1", "woodpecker"}) {
            assertTrue(Ci.active(ci), ci);
        }
    }

    @Test
    void unsetOrEmptyIsNot() {
        assertFalse(Ci.active(null));
        assertFalse(Ci.active(""));
    }
}
