package dev.flows.collector;

import dev.flows.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** The collector's packages form no cycle (see {@link PackageCycles}). */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        PackageCycles.assertNone("dev.flows.collector");
    }
}
