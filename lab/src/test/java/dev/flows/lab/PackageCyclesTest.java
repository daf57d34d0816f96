package dev.flows.lab;

import dev.flows.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** The lab's packages form no cycle (see {@link PackageCycles}). */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        PackageCycles.assertNone("dev.flows.lab");
    }
}
