package dev.flows.relay;

import dev.flows.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** The relay's packages form no cycle (see {@link PackageCycles}). */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        PackageCycles.assertNone("dev.flows.relay");
    }
}
