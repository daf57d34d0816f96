package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `helm lint --strict` through Helm's own library: warnings count as failures. */
class ChartLintTest {
    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("; ", lint.getMessages()));
        List<String> problems = lint.getMessages().stream().filter(l -> !l.startsWith("[INFO]")).toList();
        assertEquals(List.of(), problems);
    }
}
