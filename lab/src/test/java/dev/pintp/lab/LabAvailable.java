package dev.pintp.lab;

import java.nio.file.Files;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables every lab test, each reported as skipped with the reason, where the lab cannot run: not root, a tool
 * missing, the lab jar not built. Prints the reason once per class in a banner on stderr, so a skipped lab is seen.
 */
final class LabAvailable implements ExecutionCondition {
    private static final String WHY_NOT = whyNot();

    private static String whyNot() {
        String why = Lab.whyNot();
        if (why.isEmpty() && !Files.isRegularFile(Lab.JAR)) {
            why = "missing " + Lab.JAR + " (run the package phase of the lab module)";
        }
        return why;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (WHY_NOT.isEmpty()) {
            return ConditionEvaluationResult.enabled("the lab can run here");
        }
        if (context.getTestMethod().isEmpty()) {
            Lab.banner(WHY_NOT);
        }
        return ConditionEvaluationResult.disabled("LAB SKIPPED: " + WHY_NOT);
    }
}
