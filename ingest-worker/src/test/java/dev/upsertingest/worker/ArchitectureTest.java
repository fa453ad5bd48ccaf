package dev.upsertingest.worker;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.upsertingest.worker.consume.ConsumerControl;
import dev.upsertingest.worker.consume.DatabaseCircuit;
import dev.upsertingest.worker.consume.StreamConsumers;
import dev.upsertingest.worker.consume.StreamConsumersHealthIndicator;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** Keeps the layering and the owners the package comments promise. */
class ArchitectureTest {

    private final JavaClasses worker = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.upsertingest.worker");

    @Test
    void thePackagesDependOnEachOtherWithoutCycles() {
        slices().matching("dev.upsertingest.worker.(*)..").should().beFreeOfCycles().check(worker);
    }

    @Test
    void nothingDependsOnTheWiring() {
        noClasses().that().resideOutsideOfPackages("..worker.config..", "dev.upsertingest.worker")
                .should().dependOnClassesThat().resideInAPackage("..worker.config..")
                .because("config only wires the other packages")
                .check(worker);
    }

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

    @Test
    void theErrorPolicyIsUsedByTheConsumersAndUsesNothingOfTheWorker() {
        noClasses().that().resideInAPackage("..worker.errors..")
                .should().dependOnClassesThat().resideInAnyPackage("..worker.consume..", "..worker.recovery..",
                        "..worker.refresh..", "..worker.write..")
                .because("the errors package owns the failure policy; the consumers apply it")
                .check(worker);
    }

    @Test
    void onlyTheConsumersAndTheirWiringKnowTheConsumerThreads() {
        noClasses().that().resideOutsideOfPackages("..worker.consume..", "..worker.config..")
                .should().dependOnClassesThat().areAssignableTo(StreamConsumers.class)
                .because("others stop the consumers through ConsumerControl, for a reason")
                .check(worker);
        noClasses().that().doNotHaveFullyQualifiedName(StreamConsumers.class.getName())
                .should().dependOnClassesThat()
                .haveFullyQualifiedName("org.springframework.kafka.listener.ConcurrentMessageListenerContainer")
                .check(worker);
    }

    @Test
    void eachPauseReasonHasOneOwner() {
        noClasses().that().doNotBelongToAnyOf(DatabaseCircuit.class, StreamConsumers.class, ConsumerControl.class)
                .should().accessField(ConsumerControl.PauseReason.class, "DATABASE_OUTAGE")
                .check(worker);
        noClasses().that().doNotBelongToAnyOf(StreamConsumers.class, ConsumerControl.class,
                        StreamConsumersHealthIndicator.class)
                .and().doNotHaveFullyQualifiedName("dev.upsertingest.worker.recovery.RebuildCoordinator")
                .should().accessField(ConsumerControl.PauseReason.class, "REBUILD")
                .check(worker);
    }

    @Test
    void recoveryTalksToKafkaInOnePlaceAndToTheControlSchemaInAnother() {
        noClasses().that().resideInAPackage("..worker.recovery..")
                .and().doNotHaveSimpleName("GroupOffsets")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.clients.admin..")
                .check(worker);
        noClasses().that().resideInAnyPackage("..worker.recovery..", "..worker.refresh..")
                .and().haveSimpleNameNotEndingWith("Statements")
                .should().dependOnClassesThat().resideInAPackage("dev.upsertingest.schema..")
                .because("each concern's SQL lives in its *Statements class")
                .check(worker);
    }

    @Test
    void refreshingViewsNeverTouchesTheConsumersOrTheWritePath() {
        noClasses().that().resideInAPackage("..worker.refresh..")
                .should().dependOnClassesThat().resideInAnyPackage("..worker.consume..", "..worker.recovery..",
                        "..worker.write..", "org.apache.kafka..")
                .check(worker);
    }
}
