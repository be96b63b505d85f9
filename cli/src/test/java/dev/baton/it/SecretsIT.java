package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.dispatcher.local.LocalProcessRuntime;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.secrets.SecretSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RType;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * A job gets a secret by reference, prints it to stdout and stderr and writes it into its outputs;
 * then every record of every topic on the broker (aborted ones too), every Redis key, the API's
 * answers and everything logged meanwhile are searched for the secret's value: it is nowhere.
 */
class SecretsIT {
  @TempDir Path work;

  @Test
  void aSecretsValueIsNowhereButInTheJob() throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    Path secrets = Files.createDirectories(work.resolve("secrets/api"));
    Files.writeString(secrets.resolve("token"), secret + "\n");
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    PrintStream err = System.err;
    PrintStream out = System.out;
    System.setErr(new PrintStream(new Tee(err, logs), true));
    System.setOut(new PrintStream(new Tee(out, logs), true));
    RunState run;
    String api;
    try (BatonHarness baton =
        new BatonHarness(
            "secrets",
            work,
            null,
            4,
            new LocalProcessRuntime(
                work.resolve("jobs"), 4096, new SecretSource(work.resolve("secrets"), Map.of())))) {
      baton.apply(
          "secretive.yaml",
          """
          name: secretive
          version: 1
          jobs:
            - name: use
              command: [sh, -c, 'echo "token is $TOKEN"; echo "token is $TOKEN" >&2; echo "leak=$TOKEN" >> "$BATON_OUTPUTS"; echo "len=$(printf %s "$TOKEN" | wc -c | tr -d \" \")" >> "$BATON_OUTPUTS"']
              env:
                TOKEN: {secretRef: {name: api, key: token}}
              outputs: [leak, len]
            - name: shout
              command: [sh, -c, 'echo "still $TOKEN" >&2; exit 3']
              env:
                TOKEN: {secretRef: {name: api, key: token}}
          """);
      try (var server = baton.startApi()) {
        baton.trigger("secret-run-1", "secretive", Map.of());
        run = baton.awaitEnd("secret-run-1");
        HttpClient http = HttpClient.newHttpClient();
        api =
            http.send(
                        HttpRequest.newBuilder(
                                URI.create(
                                    "http://127.0.0.1:" + server.port() + "/api/runs/secret-run-1"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body()
                + http.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/api/runs"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body();
      }
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
    assertEquals(RunStatus.FAILED, run.status(), "shout exits 3");
    assertEquals(
        Integer.toString(secret.length()),
        run.jobs().get("use").outputs().get("len"),
        "the job got the secret's value");
    assertEquals(
        "***",
        run.jobs().get("use").outputs().get("leak"),
        "outputs are masked before they are stored");
    assertTrue(
        String.valueOf(run.jobs().get("shout").error()).contains("still ***"),
        String.valueOf(run.jobs().get("shout").error()));
    assertTrue(api.contains("secret-run-1"), api);

    List<String> found = new ArrayList<>();
    topics(secret, found);
    redis(secret, found);
    if (api.contains(secret)) {
      found.add("API response");
    }
    if (logs.toString(StandardCharsets.UTF_8).contains(secret)) {
      found.add("logs");
    }
    assertTrue(logs.size() > 0, "logs were captured");
    assertEquals(List.of(), found, "the secret's value must be nowhere");
  }

  private static void topics(String secret, List<String> found) throws Exception {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    String bootstrap = SharedBroker.bootstrapServers();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      var topics =
          admin
              .listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
              .names()
              .get();
      var read = new java.util.concurrent.atomic.AtomicLong();
      TopicReaderOnce.forEach( // aborted records too
          bootstrap,
          topics,
          r -> {
            read.incrementAndGet();
            boolean leak = contains(r.key(), needle) || contains(r.value(), needle);
            for (Header h : r.headers()) {
              leak |= contains(h.value(), needle);
            }
            if (leak) {
              found.add(r.topic() + "-" + r.partition() + "@" + r.offset());
            }
          });
      assertTrue(read.get() > 0, "records were read");
    }
  }

  private static void redis(String secret, List<String> found) {
    Config config = new Config();
    config.useSingleServer().setAddress(SharedBroker.redisUrl());
    RedissonClient redis = Redisson.create(config);
    try {
      for (String key : redis.getKeys().getKeys()) {
        RType type = redis.getKeys().getType(key);
        String text =
            key
                + " "
                + switch (type == null ? RType.OBJECT : type) {
                  case MAP ->
                      redis
                          .<String, String>getMap(key, StringCodec.INSTANCE)
                          .readAllMap()
                          .toString();
                  case LIST ->
                      redis.<String>getList(key, StringCodec.INSTANCE).readAll().toString();
                  case SET -> redis.<String>getSet(key, StringCodec.INSTANCE).readAll().toString();
                  case ZSET ->
                      redis
                          .<String>getScoredSortedSet(key, StringCodec.INSTANCE)
                          .readAll()
                          .toString();
                  default ->
                      String.valueOf(redis.<String>getBucket(key, StringCodec.INSTANCE).get());
                };
        if (text.contains(secret)) {
          found.add("redis " + key);
        }
      }
    } finally {
      redis.shutdown();
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    if (haystack == null) {
      return false;
    }
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Writes to the real stream and keeps a copy. */
  private static final class Tee extends java.io.OutputStream {
    private final PrintStream real;
    private final ByteArrayOutputStream copy;

    Tee(PrintStream real, ByteArrayOutputStream copy) {
      this.real = real;
      this.copy = copy;
    }

    @Override
    public synchronized void write(int b) {
      real.write(b);
      copy.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      real.write(b, off, len);
      copy.write(b, off, len);
    }
  }
}
