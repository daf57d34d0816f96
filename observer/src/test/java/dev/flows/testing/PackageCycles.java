package dev.flows.testing;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The check each module runs on its own main classes: no two packages depend on each other,
 * directly or around a loop. A package that needs part of another's insides and is needed by it
 * has found a third package that both should stand on.
 */
public final class PackageCycles {
    private PackageCycles() {}

    /** Fails, naming every cycle and the dependencies that make it, if the packages under {@code root} have one. */
    public static void assertNone(String root) {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(root);
        // every package is a slice, the root package too: "dev.flows.collector" and "dev.flows.collector.api"
        slices().matching(root.substring(0, root.lastIndexOf('.')) + ".(**)")
                .should().beFreeOfCycles()
                .allowEmptyShould(false)
                .check(classes);
    }
}
