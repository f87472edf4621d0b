package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.opentest4j.AssertionFailedError;

class LabAvailableTest {
    @Test
    void aLabThatCanRunIsEnabledUnderCiOrNot() {
        assertFalse(LabAvailable.evaluate("", false, true).isDisabled());
        assertFalse(LabAvailable.evaluate("", true, false).isDisabled());
    }

    @Test
    void outsideCiALabThatCannotRunIsDisabledNamingTheReason() {
        ConditionEvaluationResult r = LabAvailable.evaluate("not root,missing faketime", false, true);
        assertTrue(r.isDisabled());
        assertEquals("LAB SKIPPED: not root,missing faketime", r.getReason().orElseThrow());
    }

    @Test
    void underCiALabThatCannotRunFailsTheClassAndEachTestNamingTheReason() {
        for (boolean forClass : new boolean[] {true, false}) {
            AssertionFailedError e = assertThrows(AssertionFailedError.class,
                    () -> LabAvailable.evaluate("missing faketime", true, forClass));
            assertTrue(e.getMessage().endsWith(": missing faketime"), e.getMessage());
        }
    }
}
