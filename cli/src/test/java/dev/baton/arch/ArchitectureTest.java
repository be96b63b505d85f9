package dev.baton.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of docs/architecture.md, checked on the compiled main classes of
 * every module.
 */
class ArchitectureTest {
  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    // Main classes of every module (from target/classes in the reactor, or the installed jars);
    // never test classes.
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(
                location ->
                    !location.contains("/test-classes/") && !location.contains("-tests.jar"))
            .importPackages("dev.baton");
    assertTrue(
        main.stream().anyMatch(c -> c.getPackageName().equals("dev.baton.engine.decide"))
            && main.stream().anyMatch(c -> c.getPackageName().equals("dev.baton.dispatcher")),
        "main classes imported");
    assertTrue(
        main.stream()
            .noneMatch(c -> c.getSimpleName().equals("ImpureDecisionForTheArchitectureTest")),
        "test classes left out");
  }

  /** design.md §2: decisions are a pure function of their inputs. */
  static final ArchRule DECISIONS_ARE_PURE =
      noClasses()
          .that()
          .resideInAnyPackage("dev.baton.engine.decide..", "dev.baton.template..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..", "org.redisson..", "io.fabric8..", "org.slf4j..")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.time.Clock")
          .orShould()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(java.time.Instant.class, "now")
          .orShould()
          .callMethod(java.util.UUID.class, "randomUUID")
          .orShould()
          .callConstructor(java.util.Random.class)
          .because(
              "decide(state, event, template, now) is pure: its time comes in as 'now', it does no I/O");

  @Test
  void decisionsArePure() {
    DECISIONS_ARE_PURE.check(main);
  }

  @Test
  void theRuleCatchesAnImpureDecision() {
    JavaClasses broken =
        new ClassFileImporter()
            .importClasses(dev.baton.engine.decide.ImpureDecisionForTheArchitectureTest.class);
    AssertionError e = assertThrows(AssertionError.class, () -> DECISIONS_ARE_PURE.check(broken));
    assertTrue(
        e.getMessage().contains("System.currentTimeMillis")
            && e.getMessage().contains("org.apache.kafka"),
        e.getMessage());
  }

  /** The apply pipeline is Kafka Streams-free; the topology is the thin shell that feeds it. */
  static final ArchRule APPLY_KNOWS_NO_STREAMS =
      noClasses()
          .that()
          .resideInAPackage("dev.baton.engine.apply..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka.streams..", "dev.baton.engine.topology..")
          .because("applying records is Kafka Streams-free: engine/topology feeds it");

  @Test
  void theApplyPipelineUsesNoKafkaStreams() {
    APPLY_KNOWS_NO_STREAMS.check(main);
  }

  @Test
  void theApiDependsOnNarrowSourcesNotOnTheEngine() {
    noClasses()
        .that()
        .resideInAPackage("dev.baton.engine.api..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.baton.engine.Engine")
        .check(main);
  }

  @Test
  void theContractAndTheSharedPlumbingDependOnNoService() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.baton.events..", "dev.baton.serde..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.baton.engine..",
            "dev.baton.dispatcher..",
            "dev.baton.cli..",
            "dev.baton.kafka..",
            "dev.baton.redis..",
            "dev.baton.security..",
            "dev.baton.health..",
            "dev.baton.metrics..")
        .check(main);
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.baton.kafka..",
            "dev.baton.redis..",
            "dev.baton.security..",
            "dev.baton.health..",
            "dev.baton.metrics..",
            "dev.baton.settings..",
            "dev.baton.template..",
            "dev.baton.expressions..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.baton.engine..", "dev.baton.dispatcher..", "dev.baton.cli..")
        .check(main);
  }

  @Test
  void engineAndDispatcherKnowOnlyTheContractOfEachOther() {
    noClasses()
        .that()
        .resideInAPackage("dev.baton.dispatcher..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.baton.engine..")
        .check(main);
    noClasses()
        .that()
        .resideInAPackage("dev.baton.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.baton.dispatcher..")
        .check(main);
  }

  @Test
  void theClientKnowsOnlyTheContract() {
    assertTrue(
        main.stream().anyMatch(c -> c.getPackageName().equals("dev.baton.client")),
        "the client's classes imported");
    noClasses()
        .that()
        .resideInAPackage("dev.baton.client..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.baton.engine..",
            "dev.baton.dispatcher..",
            "dev.baton.cli..",
            "dev.baton.redis..",
            "dev.baton.security..",
            "org.apache.kafka.streams..",
            "org.redisson..")
        .check(main);
  }

  @Test
  void enginePackagesHaveNoCycles() {
    slices().matching("dev.baton.engine.(*)..").should().beFreeOfCycles().check(main);
  }
}
