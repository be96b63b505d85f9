package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.cli.TemplatePublisher;
import dev.baton.cli.dev.BrokerProcess;
import dev.baton.cli.dev.ChildProcess;
import dev.baton.cli.dev.DevFiles;
import dev.baton.cli.dev.EmbeddedKafka;
import dev.baton.dispatcher.Dispatcher;
import dev.baton.dispatcher.DispatcherConfig;
import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.Engine;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.kafka.TopicAdmin;
import dev.baton.redis.RedisSettings;
import dev.baton.serde.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Baton against a broker that only lets clients in over SASL_SSL with SCRAM-SHA-512, and a Redis
 * that serves TLS only and has one ACL user limited to Baton's keys and commands (the rule of
 * docs/security.md). Certificates are made here with openssl; Redis is Debian's redis-server. Its
 * own broker and Redis: the shared ones let anyone in, and security is what is tested.
 */
class SecureClusterIT {
  static final String KAFKA_PASSWORD = "kafka-pw-" + Long.toHexString(System.nanoTime());
  static final String REDIS_PASSWORD = "redis-pw-" + Long.toHexString(System.nanoTime());

  /** The Redis ACL rule of docs/security.md. */
  static final String REDIS_ACL =
      "~baton:* resetchannels -@all +@read +@write +@keyspace +@scripting +@connection +@transaction -@dangerous";

  @TempDir static Path work;
  static ChildProcess broker;
  static Process redis;
  static String bootstrap;
  static RedisSettings redisSettings;
  static Path cert;

  @BeforeAll
  static void start() throws Exception {
    cert = work.resolve("cert.pem");
    Path key = work.resolve("key.pem");
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key.toString(),
        "-out",
        cert.toString(),
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1");
    Path keystore = work.resolve("server.pem");
    Files.writeString(keystore, Files.readString(key) + Files.readString(cert));

    int external = DevFiles.freePort();
    int internal = DevFiles.freePort();
    int controller = DevFiles.freePort();
    Properties p = EmbeddedKafka.serverProperties(internal, controller, work.resolve("kafka"));
    p.put(
        "listeners",
        "INTERNAL://localhost:"
            + internal
            + ",EXTERNAL://localhost:"
            + external
            + ",CONTROLLER://localhost:"
            + controller);
    p.put(
        "advertised.listeners",
        "INTERNAL://localhost:" + internal + ",EXTERNAL://localhost:" + external);
    p.put(
        "listener.security.protocol.map",
        "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "INTERNAL");
    p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put(
        "listener.name.external.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.location", keystore.toString());
    broker =
        BrokerProcess.start(
            work,
            p,
            external,
            List.of("--add-scram", "SCRAM-SHA-512=[name=baton,password=" + KAFKA_PASSWORD + "]"));
    bootstrap = "localhost:" + external;

    int redisPort = DevFiles.freePort();
    Path conf = work.resolve("redis.conf");
    Files.writeString(
        conf,
        String.join(
                "\n",
                "port 0",
                "tls-port " + redisPort,
                "bind 127.0.0.1",
                "tls-cert-file " + cert,
                "tls-key-file " + key,
                "tls-ca-cert-file " + cert,
                "tls-auth-clients no",
                "save \"\"",
                "appendonly no",
                "user default off",
                "user baton on >" + REDIS_PASSWORD + " " + REDIS_ACL)
            + "\n");
    redis =
        new ProcessBuilder("redis-server", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("redis.log").toFile())
            .start();
    BrokerProcess.awaitPort(redisPort, Duration.ofSeconds(30));
    redisSettings =
        new RedisSettings("rediss://localhost:" + redisPort, "baton", REDIS_PASSWORD, cert, null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (broker != null) {
      broker.kill();
    }
  }

  static void run(String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("openssl.log").toFile())
            .start();
    assertTrue(
        p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
        String.join(" ", command) + ": " + Files.readString(work.resolve("openssl.log")));
  }

  static Map<String, String> kafka(String password) {
    Map<String, String> k = new HashMap<>();
    k.put("security.protocol", "SASL_SSL");
    k.put("sasl.mechanism", "SCRAM-SHA-512");
    k.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"baton\" password=\""
            + password
            + "\";");
    k.put("ssl.truststore.type", "PEM");
    k.put("ssl.truststore.location", cert.toString());
    return k;
  }

  static EngineConfig engineConfig(Topics topics, Map<String, String> kafka, RedisSettings redis) {
    EngineConfig.Builder b = EngineConfig.builder(bootstrap, null, "secure-engine");
    b.redis = redis;
    b.topics = topics;
    b.stateDir = work.resolve("streams");
    b.commitInterval = Duration.ofMillis(50);
    b.replicationFactor = 1;
    b.finishedRunRetention = Duration.ofHours(1);
    b.kafka = kafka;
    return b.build();
  }

  static DispatcherConfig dispatcherConfig(
      Topics topics, Map<String, String> kafka, RedisSettings redis) {
    DispatcherConfig.Builder b = DispatcherConfig.builder(bootstrap, topics);
    b.groupId = "secure-dispatcher";
    b.kafka = kafka;
    b.redis = redis;
    return b.build();
  }

  @Test
  void thePipelineRunsOverSaslSslScramAndRedisWithAnAclUserOverTls() throws Exception {
    Topics topics = Topics.withPrefix("secure");
    Map<String, String> kafka = kafka(KAFKA_PASSWORD);
    TopicAdmin.ensureTopics(bootstrap, topics, 3, (short) 1, kafka);
    TemplatePublisher.publish(
        bootstrap,
        topics.templates(),
        TemplatePublisher.load(Path.of("../templates/pipeline.yaml")),
        kafka);
    try (Engine engine = new Engine(engineConfig(topics, kafka, redisSettings)).start();
        Dispatcher dispatcher =
            new Dispatcher(
                    dispatcherConfig(topics, kafka, redisSettings),
                    new LocalProcessRuntime(work.resolve("jobs"), 4096))
                .start()) {
      assertTrue(engine.awaitRunning(Duration.ofSeconds(60)));
      assertTrue(dispatcher.ready());
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      p.putAll(kafka);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.triggers(),
                    "secure-run-1",
                    "{\"runId\": \"secure-run-1\", \"template\": \"pipeline\", \"params\": {\"source\": \"vault.csv\"}}"))
            .get();
      }
      await()
          .atMost(BatonHarness.DEADLINE)
          .until(
              () ->
                  engine.runs().find("secure-run-1").map(s -> s.status().isFinal()).orElse(false));
      RunState run = engine.runs().find("secure-run-1").orElseThrow();
      assertEquals(RunStatus.SUCCEEDED, run.status());
      assertEquals(
          "loaded 42 rows from vault.csv", run.jobs().get("load").outputs().get("summary"));
    }
  }

  @Test
  void wrongKafkaCredentialsFailFastNamingTheClusterAndUserButNotThePassword() throws Exception {
    String wrong = "not-the-kafka-pw-" + System.nanoTime();
    try (Engine engine =
        new Engine(engineConfig(Topics.withPrefix("secure-bad"), kafka(wrong), redisSettings))) {
      long start = System.nanoTime();
      IllegalStateException e = assertThrows(IllegalStateException.class, engine::start);
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos(), "fails fast");
      assertTrue(
          e.getMessage().contains("Kafka at " + bootstrap)
              && e.getMessage().contains("SCRAM-SHA-512")
              && e.getMessage().contains("user 'baton'")
              && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("authentication"),
          e.getMessage());
      assertFalse(e.getMessage().contains(wrong), e.getMessage());
      assertFalse(e.getMessage().contains(KAFKA_PASSWORD), e.getMessage());
    }
  }

  @Test
  void wrongRedisCredentialsFailFastNamingTheServerAndUserButNotThePassword() {
    String wrong = "not-the-redis-pw-" + System.nanoTime();
    long start = System.nanoTime();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new Engine(
                    engineConfig(
                        Topics.withPrefix("secure-bad"),
                        kafka(KAFKA_PASSWORD),
                        redisSettings.withCredentials("baton", wrong))));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos(), "fails fast");
    assertTrue(
        e.getMessage().contains("Redis at " + redisSettings.url())
            && e.getMessage().contains("user 'baton'"),
        e.getMessage());
    assertFalse(e.getMessage().contains(wrong), e.getMessage());
    assertFalse(String.valueOf(e.getCause()).contains(wrong), "nor in its cause");
  }

  @Test
  void theAclUserCannotTouchOtherKeys() throws Exception {
    var client = redisSettings.connect(1, 2);
    try {
      client.getBucket("baton:acl-check", org.redisson.client.codec.StringCodec.INSTANCE).set("ok");
      assertThrows(
          RuntimeException.class,
          () ->
              client
                  .getBucket("other-app:key", org.redisson.client.codec.StringCodec.INSTANCE)
                  .set("nope"));
    } finally {
      client.shutdown();
    }
  }
}
