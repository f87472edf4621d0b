package dev.pintp.lab;

import dev.pintp.ntp.testkit.Ci;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables every lab test, each reported as skipped with the reason, where the lab cannot run: not root, a tool
 * missing, the lab jar not built. Prints the reason once per class in a banner on stderr, so a skipped lab is seen.
 * Under CI ({@link Ci}) the tests fail instead, naming the reason, as {@link Lab#loudSkip} does: .ci/run runs as root
 * and installs everything, so a lab that cannot run there is a missing set-up step.
 */
final class LabAvailable implements ExecutionCondition {
    // read at the first evaluation (it runs the lab's check script), not when a unit test loads the class
    private static final class WhyNot {
        static final String VALUE = whyNot();
    }

    private static String whyNot() {
        String why = Lab.whyNot();
        if (why.isEmpty() && !Files.isRegularFile(Lab.JAR)) {
            why = "missing " + Lab.JAR + " (run the package phase of the lab module)";
        }
        return why;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return evaluate(WhyNot.VALUE, Ci.active(), context.getTestMethod().isEmpty());
    }

    /**
     * Enabled when {@code why} (why the lab cannot run) is empty; else disabled with it, or, when {@code ci}, an
     * assertion failure naming it, which JUnit reports as the test's (or class's) failure. The banner is printed for
     * the class, not for each of its tests.
     */
    static ConditionEvaluationResult evaluate(String why, boolean ci, boolean forClass) {
        if (why.isEmpty()) {
            return ConditionEvaluationResult.enabled("the lab can run here");
        }
        if (forClass) {
            Lab.banner(why);
        }
        Lab.failUnderCi(ci, why);
        return ConditionEvaluationResult.disabled("LAB SKIPPED: " + why);
    }
}
