package dev.upsertingest.worker;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** Keeps the layering the package names promise. */
class ArchitectureTest {

    private final JavaClasses worker = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.upsertingest.worker");

    @Test
    void theWritePathKnowsNothingOfKafka() {
        noClasses().that().resideInAPackage("..worker.write..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..")
                .because("the write path must be usable (and benchmarked) without a broker")
                .check(worker);
    }

    @Test
    void theWritePathDoesNotReachBackIntoConsumersOrErrors() {
        noClasses().that().resideInAPackage("..worker.write..")
                .should().dependOnClassesThat().resideInAnyPackage("..worker.consume..", "..worker.errors..")
                .check(worker);
    }
}
