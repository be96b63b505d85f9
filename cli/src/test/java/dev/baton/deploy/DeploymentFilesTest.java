package dev.baton.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.dispatcher.kubernetes.KubernetesRuntime;
import dev.baton.engine.EngineConfig;
import dev.baton.security.AttemptTokens;
import dev.baton.serde.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** k8s/ and docker-compose.yml, parsed and held against the code they deploy. */
class DeploymentFilesTest {
  static final Path K8S = Path.of("../k8s");
  static List<HasMetadata> resources;

  @BeforeAll
  static void parseManifests() throws IOException {
    resources = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml"))
              .sorted()
              .toList()) {
        for (String doc : Files.readString(f).split("(?m)^---$")) {
          if (!doc.isBlank()) {
            resources.add(Serialization.unmarshal(doc, HasMetadata.class));
          }
        }
      }
    }
  }

  static <T extends HasMetadata> T one(Class<T> type, String name) {
    return resources.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + type.getSimpleName() + " " + name + " in k8s/"));
  }

  @Test
  void roleGrantsExactlyThePodAndExecVerbsTheDispatcherUses() {
    Role role = one(Role.class, "baton-dispatcher");
    PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of(""), rule.getApiGroups());
    assertEquals(List.of("pods"), rule.getResources());
    assertEquals(
        KubernetesRuntime.POD_VERBS.stream().sorted().toList(),
        rule.getVerbs().stream().sorted().toList());
    assertEquals(2, role.getRules().size(), "pods and pods/exec, nothing else");
    PolicyRule exec = role.getRules().get(1);
    assertEquals(List.of(""), exec.getApiGroups());
    assertEquals(List.of("pods/exec"), exec.getResources());
    assertEquals(KubernetesRuntime.EXEC_VERBS, exec.getVerbs());
    RoleBinding binding = one(RoleBinding.class, "baton-dispatcher");
    assertEquals("baton-dispatcher", binding.getRoleRef().getName());
    Deployment dispatcher = one(Deployment.class, "baton-dispatcher");
    assertEquals(
        binding.getSubjects().get(0).getName(),
        dispatcher.getSpec().getTemplate().getSpec().getServiceAccountName());
    assertEquals(
        0,
        resources.stream().filter(r -> r.getKind().contains("ClusterRole")).count(),
        "no cluster-wide rights");
  }

  @Test
  void deploymentsRunNonRootReadOnlyWithLimitsAndHealthProbes() {
    for (String name : List.of("baton-engine", "baton-dispatcher")) {
      Deployment d = one(Deployment.class, name);
      assertTrue(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot(), name);
      Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertNotNull(c.getResources().getLimits().get("memory"), name);
      assertNotNull(c.getResources().getLimits().get("cpu"), name);
      assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation(), name);
      assertTrue(
          c.getSecurityContext().getReadOnlyRootFilesystem(),
          name + " has a read-only root filesystem");
      assertTrue(
          c.getVolumeMounts().stream()
              .anyMatch(
                  m -> m.getMountPath().equals("/tmp") && !Boolean.TRUE.equals(m.getReadOnly())),
          name + " writes only to its /tmp volume");
      assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
      assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
      assertEquals(8080, c.getPorts().get(0).getContainerPort());
      assertEquals("baton", c.getEnvFrom().get(0).getConfigMapRef().getName());
    }
  }

  @Test
  void configMapAgreesWithTheCode() {
    Map<String, String> data = one(ConfigMap.class, "baton").getData();
    assertEquals("8080", data.get("BATON_HEALTH_PORT"));
    assertEquals(Topics.defaults().triggers(), data.get("BATON_TOPIC_PREFIX") + ".triggers");
    assertEquals("kubernetes", data.get("BATON_RUNTIME"));
    // The completion key is the Secret both Deployments mount where the ConfigMap says.
    String keyFile = data.get(AttemptTokens.KEY_FILE_VARIABLE);
    for (String name : List.of("baton-engine", "baton-dispatcher")) {
      var spec = one(Deployment.class, name).getSpec().getTemplate().getSpec();
      var mount =
          spec.getContainers().get(0).getVolumeMounts().stream()
              .filter(m -> keyFile.startsWith(m.getMountPath() + "/"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(name + " mounts no " + keyFile));
      var volume =
          spec.getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()))
              .findFirst()
              .orElseThrow();
      assertEquals("baton-completion-key", volume.getSecret().getSecretName(), name);
      assertEquals(keyFile, mount.getMountPath() + "/key");
    }
    EngineConfig.fromEnv(withKeyFile(data)); // the engine accepts it as its whole configuration
    assertThrows(
        IllegalArgumentException.class,
        () -> EngineConfig.fromEnv(Map.of("BATON_BOOTSTRAP_SERVERS", "kafka:9092")),
        "no engine starts without a completion key");
  }

  /** The settings, with a key file that exists here in place of the one the deployment mounts. */
  static Map<String, String> withKeyFile(Map<String, String> settings) {
    try {
      Path key = Files.createTempFile("completion-key", "");
      key.toFile().deleteOnExit();
      Files.writeString(key, AttemptTokens.random().keyText());
      Map<String, String> copy = new java.util.HashMap<>(settings);
      copy.put(AttemptTokens.KEY_FILE_VARIABLE, key.toString());
      return copy;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void kustomizationListsEveryManifest() throws IOException {
    Map<String, Object> k = new Yaml().load(Files.readString(K8S.resolve("kustomization.yaml")));
    @SuppressWarnings("unchecked")
    List<String> listed = (List<String>) k.get("resources");
    try (Stream<Path> files = Files.list(K8S)) {
      assertEquals(
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .sorted()
              .toList(),
          listed.stream().sorted().toList());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void dockerComposeAgreesWithTheDefaultsInCode() throws IOException {
    Map<String, Object> compose =
        new Yaml().load(Files.readString(Path.of("../docker-compose.yml")));
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) compose.get("services");
    assertTrue(
        services.keySet().containsAll(List.of("kafka", "redis", "engine", "dispatcher")),
        services.keySet().toString());
    Map<String, String> kafka = (Map<String, String>) services.get("kafka").get("environment");
    String internal =
        kafka.get("KAFKA_ADVERTISED_LISTENERS").split(",")[0].replace("INTERNAL://", "");
    assertEquals(
        "EXTERNAL://localhost:9092",
        kafka.get("KAFKA_ADVERTISED_LISTENERS").split(",")[1],
        "the CLI's default bootstrap");
    assertEquals(List.of("9092:9092"), services.get("kafka").get("ports"));
    Map<String, String> engine = (Map<String, String>) services.get("engine").get("environment");
    Map<String, String> dispatcher =
        (Map<String, String>) services.get("dispatcher").get("environment");
    assertEquals(internal, engine.get("BATON_BOOTSTRAP_SERVERS"));
    assertEquals(internal, dispatcher.get("BATON_BOOTSTRAP_SERVERS"));
    assertEquals(
        engine.get(AttemptTokens.KEY_FILE_VARIABLE),
        dispatcher.get(AttemptTokens.KEY_FILE_VARIABLE),
        "one key for both");
    assertTrue(
        ((List<String>) services.get("completion-key").get("volumes")).get(0).endsWith(":/keys"));
    assertTrue(engine.get(AttemptTokens.KEY_FILE_VARIABLE).startsWith("/keys/"));
    EngineConfig config = EngineConfig.fromEnv(withKeyFile(engine));
    assertEquals(Topics.defaults(), config.topics());
    assertEquals(List.of("6379:6379"), services.get("redis").get("ports"));
    assertTrue(config.redisUrl().endsWith(":6379"), config.redisUrl());
    assertEquals("local", dispatcher.get("BATON_RUNTIME"));
    List<String> init = (List<String>) services.get("init").get("command");
    assertEquals(List.of("topics", "create", "--bootstrap-server", internal), init.subList(0, 4));
  }
}
