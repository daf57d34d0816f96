package dev.flows.cli;

import dev.flows.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** The cli's packages form no cycle (see {@link PackageCycles}). */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        PackageCycles.assertNone("dev.flows.cli");
    }
}
