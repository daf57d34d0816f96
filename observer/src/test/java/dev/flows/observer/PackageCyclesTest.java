package dev.flows.observer;

import dev.flows.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** The observer's packages form no cycle (see {@link PackageCycles}). */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        PackageCycles.assertNone("dev.flows.observer");
    }
}
