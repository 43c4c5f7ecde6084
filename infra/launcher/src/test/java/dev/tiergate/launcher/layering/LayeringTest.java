package dev.tiergate.launcher.layering;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.tiergate.runtime.EntryPoint;
import java.util.Arrays;

/**
 * The layering of the modules, as an executable check of the main code: services → runtime →
 * schemas; services never use each other or the local stack; the launcher uses only what a service
 * marks as its public surface ({@link EntryPoint}); inside a module, Streams processors never reach
 * back into their topology; the ingress's subpackages form no cycle and never use its root package
 * (the service wiring).
 */
@AnalyzeClasses(packages = "dev.tiergate", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  private static final String INGRESS = "dev.tiergate.ingress..";
  private static final String INGRESS_ROOT = "dev.tiergate.ingress";
  private static final String ROUTER = "dev.tiergate.router..";
  private static final String DISPATCHER = "dev.tiergate.dispatcher..";
  private static final String ACCOUNTING = "dev.tiergate.accounting..";
  private static final String RUNTIME = "dev.tiergate.runtime..";
  private static final String SCHEMAS = "dev.tiergate.schemas..";
  private static final String STACK = "dev.tiergate.stack..";
  private static final String LAUNCHER = "dev.tiergate.launcher..";
  private static final String[] SERVICES = {INGRESS, ROUTER, DISPATCHER, ACCOUNTING};

  @ArchTest
  static final ArchRule ingressUsesNoOtherServiceNorTheLocalStack =
      serviceStaysInItsLane(INGRESS);

  @ArchTest
  static final ArchRule routerUsesNoOtherServiceNorTheLocalStack = serviceStaysInItsLane(ROUTER);

  @ArchTest
  static final ArchRule dispatcherUsesNoOtherServiceNorTheLocalStack =
      serviceStaysInItsLane(DISPATCHER);

  @ArchTest
  static final ArchRule accountingUsesNoOtherServiceNorTheLocalStack =
      serviceStaysInItsLane(ACCOUNTING);

  @ArchTest
  static final ArchRule runtimeUsesNoServiceNorTheLauncher =
      noClasses().that().resideInAPackage(RUNTIME)
          .should().dependOnClassesThat().resideInAnyPackage(with(SERVICES, STACK, LAUNCHER));

  @ArchTest
  static final ArchRule schemasUsesNothingAboveIt =
      noClasses().that().resideInAPackage(SCHEMAS)
          .should().dependOnClassesThat().resideInAnyPackage(with(SERVICES, RUNTIME, STACK, LAUNCHER));

  @ArchTest
  static final ArchRule localStackUsesNoServiceNorTheLauncher =
      noClasses().that().resideInAPackage(STACK)
          .should().dependOnClassesThat().resideInAnyPackage(with(SERVICES, RUNTIME, LAUNCHER));

  @ArchTest
  static final ArchRule launcherUsesOnlyTheServicesEntryPoints =
      noClasses().that().resideInAPackage(LAUNCHER)
          .should().dependOnClassesThat(serviceInternals());

  @ArchTest
  static final ArchRule processorsGetTheirStoreNamesFromTheirConstructors =
      noClasses().that().haveSimpleNameEndingWith("Processor")
          .should().dependOnClassesThat().haveSimpleNameEndingWith("Topology");

  @ArchTest
  static final ArchRule modulesHaveNoCycles =
      slices().matching("dev.tiergate.(*)..").should().beFreeOfCycles();

  /** The ingress's dialects and concerns (auth, limits, reply, http, ...) depend one way. */
  @ArchTest
  static final ArchRule ingressSubpackagesHaveNoCycles =
      slices().matching("dev.tiergate.ingress.(*)..").should().beFreeOfCycles();

  /** Only the service wiring lives in the ingress's root package; nothing below it reaches back. */
  @ArchTest
  static final ArchRule ingressSubpackagesDoNotUseTheServiceWiring =
      noClasses().that().resideInAPackage(INGRESS).and().resideOutsideOfPackage(INGRESS_ROOT)
          .should().dependOnClassesThat().resideInAPackage(INGRESS_ROOT);

  private static ArchRule serviceStaysInItsLane(final String service) {
    final String[] others = Arrays.stream(SERVICES).filter(other -> !other.equals(service))
        .toArray(String[]::new);
    return noClasses().that().resideInAPackage(service)
        .should().dependOnClassesThat().resideInAnyPackage(with(others, STACK, LAUNCHER));
  }

  /** A class of a service that neither it nor the class it is nested in marks as an entry point. */
  private static DescribedPredicate<JavaClass> serviceInternals() {
    return DescribedPredicate.describe("are service internals (not marked @EntryPoint)",
        target -> target.getPackage().getName().matches("dev\\.tiergate\\.(ingress|router|dispatcher|accounting)(\\..*)?")
            && !isEntryPoint(target));
  }

  private static boolean isEntryPoint(final JavaClass target) {
    return target.isAnnotatedWith(EntryPoint.class)
        || target.getEnclosingClass().map(LayeringTest::isEntryPoint).orElse(false);
  }

  private static String[] with(final String[] packages, final String... more) {
    final String[] all = Arrays.copyOf(packages, packages.length + more.length);
    System.arraycopy(more, 0, all, packages.length, more.length);
    return all;
  }
}
