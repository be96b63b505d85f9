package dev.baton.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaPropertiesTest {
  @TempDir Path dir;

  @Test
  void aPropertiesFileThenVariablesThenValuesFromFiles() throws Exception {
    Path config = dir.resolve("client.properties");
    Files.writeString(
        config, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nssl.truststore.type=PEM\n");
    Path jaas = dir.resolve("jaas");
    Files.writeString(
        jaas,
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"k\" password=\"p\";\n");
    Map<String, String> props =
        KafkaProperties.fromEnv(
            Map.of(
                "BATON_KAFKA_CONFIG_FILE",
                config.toString(),
                "BATON_KAFKA_SASL_MECHANISM",
                "SCRAM-SHA-512",
                "BATON_KAFKA_SASL_JAAS_CONFIG_FILE",
                jaas.toString(),
                "PATH",
                "/usr/bin"));
    assertEquals("SASL_SSL", props.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", props.get("sasl.mechanism"), "a variable wins over the file");
    assertEquals(
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"k\" password=\"p\";",
        props.get("sasl.jaas.config"));
    assertFalse(props.containsKey("config.file"));
    assertFalse(props.containsKey("sasl.jaas.config.file"));
  }

  @Test
  void whatAMessageMaySayOfTheSettings() {
    assertEquals(
        "SASL_SSL SCRAM-SHA-512 as user 'baton'",
        KafkaCheck.who(
            Map.of(
                "security.protocol",
                "SASL_SSL",
                "sasl.mechanism",
                "SCRAM-SHA-512",
                "sasl.jaas.config",
                "x required username=\"baton\" password=\"hunter2\";")));
    assertEquals("PLAINTEXT", KafkaCheck.who(Map.of()));
  }
}
