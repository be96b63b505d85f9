package dev.baton.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * schemas/template.schema.json names exactly the fields the parser reads, at every level: a field
 * added to the parser and not to the schema (or the other way round) fails here.
 */
class TemplateSchemaTest {
  static final JsonNode SCHEMA = read();

  static JsonNode read() {
    try {
      return new ObjectMapper()
          .readTree(Files.readString(Path.of("../schemas/template.schema.json")));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Set<String> parserFields(Class<?> parser, String field) throws Exception {
    Field f = parser.getDeclaredField(field);
    f.setAccessible(true);
    return new TreeSet<>((Set<String>) f.get(null));
  }

  static Set<String> schemaFields(String pointer) {
    JsonNode node = SCHEMA.at(pointer);
    assertTrue(node.isObject(), "the schema has " + pointer);
    Set<String> out = new TreeSet<>();
    node.get("properties").fieldNames().forEachRemaining(out::add);
    assertEquals(
        false,
        node.path("additionalProperties").asBoolean(true),
        pointer + " refuses fields it does not name, as the parser does");
    return out;
  }

  void same(String pointer, Class<?> parser, String field) throws Exception {
    assertEquals(parserFields(parser, field), schemaFields(pointer), pointer + " vs " + field);
  }

  @Test
  void everyLevelNamesTheFieldsTheParserReads() throws Exception {
    same("", TemplateParser.class, "TOP_FIELDS");
    same("/$defs/rule", TemplateParser.class, "RULE_FIELDS");
    same("/$defs/schedule", TemplateParser.class, "SCHEDULE_FIELDS");
    same("/$defs/webhook", WebhookParser.class, "FIELDS");
    same("/$defs/webhook/properties/signature", WebhookParser.class, "SIGNATURE_FIELDS");
    same("/$defs/param", TemplateParser.class, "PARAM_FIELDS");
    same("/$defs/job", JobParser.class, "JOB_FIELDS");
    same("/$defs/exitJob", JobParser.class, "EXIT_FIELDS");
    same("/$defs/run", JobParser.class, "RUN_FIELDS");
    same("/$defs/cache", JobParser.class, "CACHE_FIELDS");
    same("/$defs/retry", JobParser.class, "RETRY_FIELDS");
    same("/$defs/retry/properties/backoff", JobParser.class, "BACKOFF_FIELDS");
    same("/$defs/wait", WaitParser.class, "WAIT_FIELDS");
    same("/$defs/wait/properties/event", WaitParser.class, "EVENT_FIELDS");
    same("/$defs/wait/properties/approval", WaitParser.class, "APPROVAL_FIELDS");
    same("/$defs/kubernetes", PodParser.class, "POD_FIELDS");
    same("/$defs/kubernetes/properties/warm", PodParser.class, "WARM_FIELDS");
    same("/$defs/http", ActionParser.class, "HTTP_FIELDS");
    same("/$defs/record", ActionParser.class, "RECORD_FIELDS");
    same("/$defs/sleep", ActionParser.class, "SLEEP_FIELDS");
    same("/$defs/artifacts", ArtifactParser.class, "FIELDS");
  }

  @Test
  void theRuntimesAndMethodsAreTheParsers() throws Exception {
    Set<String> methods = new TreeSet<>();
    SCHEMA.at("/$defs/http/properties/method/enum").forEach(m -> methods.add(m.asText()));
    assertEquals(parserFields(ActionParser.class, "METHODS"), methods);
    Set<String> runtimes = new TreeSet<>();
    SCHEMA.at("/$defs/job/properties/runtime/enum").forEach(m -> runtimes.add(m.asText()));
    assertEquals(parserFields(JobParser.class, "RUNTIMES"), runtimes);
  }

  /**
   * A loader that reads booleans as YAML 1.2 does (only true and false), as the parser and editors
   * do: YAML 1.1 would read the key {@code on} (retry.on, a template's on) as true.
   */
  static org.yaml.snakeyaml.Yaml yaml12() {
    var resolver =
        new org.yaml.snakeyaml.resolver.Resolver() {
          @Override
          protected void addImplicitResolvers() {
            addImplicitResolver(
                org.yaml.snakeyaml.nodes.Tag.BOOL,
                java.util.regex.Pattern.compile("^(?:true|false)$"),
                "tf");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT, INT, "-+0123456789");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, FLOAT, "-+.0123456789");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, EMPTY, null);
          }
        };
    var dump = new org.yaml.snakeyaml.DumperOptions();
    return new org.yaml.snakeyaml.Yaml(
        new org.yaml.snakeyaml.constructor.SafeConstructor(new org.yaml.snakeyaml.LoaderOptions()),
        new org.yaml.snakeyaml.representer.Representer(dump),
        dump,
        resolver);
  }

  static java.util.Set<com.networknt.schema.ValidationMessage> validate(String yaml) {
    var schema =
        com.networknt.schema.JsonSchemaFactory.getInstance(
                com.networknt.schema.SpecVersion.VersionFlag.V202012)
            .getSchema(SCHEMA);
    Object data = yaml12().load(yaml);
    return schema.validate(new ObjectMapper().valueToTree(data));
  }

  @Test
  void everyExampleTemplateValidatesAgainstTheSchema() throws Exception {
    java.util.List<Path> files;
    try (var list = Files.list(Path.of("../templates"))) {
      files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 10, files.toString());
    for (Path f : files) {
      String yaml = Files.readString(f);
      Templates.parse(f.getFileName().toString(), yaml); // the parser takes it
      assertEquals(java.util.Set.of(), validate(yaml), f + " against the schema");
    }
  }

  @Test
  void whatTheParserRefusesForAFieldItDoesNotKnowTheSchemaRefusesToo() {
    String yaml = "name: odd\nversion: 1\njobs:\n  - {name: a, command: [\"true\"], retries: 3}\n";
    org.junit.jupiter.api.Assertions.assertThrows(
        InvalidTemplateException.class, () -> Templates.parse("odd.yaml", yaml));
    assertTrue(
        validate(yaml).stream().anyMatch(m -> m.getMessage().contains("retries")),
        validate(yaml).toString());
  }
}
