package dev.flows.collector;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.flows.testing.PackageCycles;
import org.junit.jupiter.api.Test;

/** The collector's packages form no cycle (see {@link PackageCycles}). */
class PackageCyclesTest {
    @Test
    void noPackageCycles() {
        PackageCycles.assertNone("dev.flows.collector");
    }

    /**
     * The control plane (service and policy programming) feeds the enrich stage its id tables, never
     * the decoder: decode reads events and names nothing, so that one stage answers where a flow
     * gets its service and policy names.
     */
    @Test
    void theControlPlaneDoesNotUseTheDecoder() {
        noClasses().that().resideInAnyPackage("dev.flows.collector.datapath..", "dev.flows.collector.policy..")
                .should().dependOnClassesThat().resideInAPackage("dev.flows.collector.decode..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.flows.collector"));
    }
}
