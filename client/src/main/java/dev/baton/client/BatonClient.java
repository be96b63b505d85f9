package dev.baton.client;

import dev.baton.events.RunCommand;
import dev.baton.events.RunCommandType;
import dev.baton.events.WorkflowTrigger;
import dev.baton.serde.CommandRequests;
import dev.baton.serde.RunIds;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Baton from a Java service, through Kafka alone: start runs and await their results, cancel,
 * retry, pause, resume, approve and reject. Thread-safe: one client per process serves every
 * thread, and however many runs it awaits, it reads the events topic with one consumer.
 *
 * <pre>{@code
 * try (BatonClient baton = BatonClient.connect("localhost:9092")) {
 *   RunResult r = baton.start("hello", Map.of("name", "Ada")).await(Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public final class BatonClient implements AutoCloseable {
  private final Settings settings;
  private final KafkaProducer<String, byte[]> producer;
  private final EventReader events;

  private BatonClient(Settings settings) {
    this.settings = settings;
    this.events =
        new EventReader(settings.kafka, settings.topics.events(), settings.wire, settings.timeout);
    Map<String, Object> p = new HashMap<>(settings.kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.timeout.toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.timeout.toMillis());
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) settings.timeout.toMillis());
    try {
      this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    } catch (RuntimeException e) {
      events.close();
      throw new BatonException("cannot write to Kafka: " + e.getMessage(), e);
    }
  }

  /** A client with the settings {@code baton dev} uses: topics {@code baton.*}, JSON. */
  public static BatonClient connect(String bootstrapServers) {
    return builder(bootstrapServers).build();
  }

  /** Settings beyond the broker: Kafka security properties, Avro with a registry, a prefix. */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** Starts a run of {@code template} with {@code params}; the client picks its id. */
  public RunHandle start(String template, Map<String, String> params) {
    return start(template, params, StartOptions.defaults());
  }

  /**
   * Starts a run of {@code template} with {@code params} as {@code options} say. Returns once the
   * broker has the trigger; the handle awaits the run.
   *
   * @throws BatonException when the template name is blank, a param is null, or Kafka does not take
   *     the trigger in time
   */
  public RunHandle start(String template, Map<String, String> params, StartOptions options) {
    if (template == null || template.isBlank()) {
      throw new BatonException("a run needs a template name");
    }
    params.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            throw new BatonException("param " + k + " of a run of '" + template + "' is null");
          }
        });
    String runId =
        options.runId() != null
            ? options.runId()
            : options.idempotencyKey() != null
                ? RunIds.forIdempotencyKey(options.idempotencyKey())
                : template + "-" + UUID.randomUUID();
    boolean followedBefore = events.follows(runId);
    RunFollower follower = events.follow(runId);
    WorkflowTrigger trigger =
        WorkflowTrigger.newBuilder()
            .setEventId("trigger:" + runId)
            .setRunId(options.runId() != null || options.idempotencyKey() == null ? runId : null)
            .setIdempotencyKey(options.idempotencyKey())
            .setOccurredAt(Instant.now())
            .setTemplate(template)
            .setParams(Map.copyOf(params))
            .setTenant(options.tenant())
            .setPriority(options.priority())
            .build();
    try {
      send(settings.topics.triggers(), runId, trigger, "the trigger of run '" + runId + "'");
    } catch (BatonException e) {
      if (!followedBefore) {
        events.unfollow(follower); // another handle of this run still awaits it otherwise
      }
      throw e;
    }
    return new RunHandle(this, follower);
  }

  /** Cancels the run: its running jobs are stopped, nothing more starts. */
  public void cancel(String runId) {
    command(runId, RunCommandType.CANCEL);
  }

  /** Runs a failed run's failed jobs again (the engine refuses it for a run that did not fail). */
  public void retry(String runId) {
    command(runId, RunCommandType.RETRY);
  }

  /** Holds the run: running jobs finish, nothing new starts until {@link #resume}. */
  public void pause(String runId) {
    command(runId, RunCommandType.PAUSE);
  }

  public void resume(String runId) {
    command(runId, RunCommandType.RESUME);
  }

  /**
   * Approves attempt {@code attempt} of the approval step {@code job}, with the approval's {@code
   * inputs} (they become the step's outputs).
   */
  public void approve(String runId, String job, int attempt, Map<String, String> inputs) {
    decide(runId, RunCommandType.APPROVE, job, attempt, inputs, null);
  }

  /**
   * Approves the attempt of {@code job} that this client saw waiting, in a run it started.
   *
   * @throws BatonException when this client does not know the attempt: name it
   */
  public void approve(String runId, String job, Map<String, String> inputs) {
    approve(runId, job, waitingAttempt(runId, job), inputs);
  }

  /**
   * Rejects attempt {@code attempt} of the approval step {@code job}: it fails with {@code reason}.
   */
  public void reject(String runId, String job, int attempt, String reason) {
    decide(runId, RunCommandType.REJECT, job, attempt, Map.of(), reason);
  }

  /** Rejects the attempt of {@code job} that this client saw waiting, in a run it started. */
  public void reject(String runId, String job, String reason) {
    reject(runId, job, waitingAttempt(runId, job), reason);
  }

  private int waitingAttempt(String runId, String job) {
    RunFollower f = events.followerOf(runId);
    Integer attempt = f == null ? null : f.attempt(job);
    if (attempt == null) {
      throw new BatonException(
          "this client has not seen job '"
              + job
              + "' of run '"
              + runId
              + "' waiting: name the attempt to answer");
    }
    return attempt;
  }

  private void decide(
      String runId,
      RunCommandType type,
      String job,
      int attempt,
      Map<String, String> inputs,
      String reason) {
    RunCommand c =
        CommandRequests.decision(runId, type, job, attempt, inputs, reason, settings.source);
    send(settings.topics.commands(), runId, c, type + " of run '" + runId + "'");
  }

  private void command(String runId, RunCommandType type) {
    RunCommand c = CommandRequests.of(runId, type, "requested through the Java client");
    c.setSource(settings.source);
    send(settings.topics.commands(), runId, c, type + " of run '" + runId + "'");
  }

  /** Templates: checked as {@code baton templates apply} checks them, and published. */
  public TemplateStore templates() {
    return new TemplateStore(this);
  }

  private void send(String topic, String key, SpecificRecord value, String what) {
    sendBytes(topic, key, settings.wire.encode(topic, value), what);
  }

  /** Writes {@code value} to {@code topic} and waits for the broker to take it. */
  void sendBytes(String topic, String key, byte[] value, String what) {
    try {
      producer
          .send(new ProducerRecord<>(topic, key, value))
          .get(settings.timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new BatonException(
          "Kafka at "
              + settings.kafka.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)
              + " did not take "
              + what
              + " on '"
              + topic
              + "': "
              + cause.getMessage(),
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted while sending " + what, e);
    } catch (RuntimeException e) {
      throw new BatonException("cannot send " + what + ": " + e.getMessage(), e);
    }
  }

  /** How many runs this client follows now (awaited and not ended). */
  public int following() {
    return events.following();
  }

  Settings settings() {
    return settings;
  }

  @Override
  public void close() {
    events.close();
    producer.close(Duration.ofSeconds(5));
  }

  /** What a client was built with. */
  record Settings(
      Map<String, Object> kafka, Topics topics, Wire wire, Duration timeout, String source) {}

  /** A client's settings beyond its broker. */
  public static final class Builder {
    private final Map<String, Object> kafka = new HashMap<>();
    private String prefix = "baton";
    private Wire wire = Wire.json();
    private Duration timeout = Duration.ofSeconds(15);
    private String source = "java-client";

    private Builder(String bootstrapServers) {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new BatonException("a client needs the Kafka bootstrap servers (host:port)");
      }
      kafka.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    /** A Kafka client property (security.protocol, sasl.*, ssl.*), for every client inside. */
    public Builder kafka(String key, Object value) {
      kafka.put(key, value);
      return this;
    }

    /** Kafka client properties, as {@link #kafka(String, Object)}. */
    public Builder kafka(Map<String, ?> properties) {
      kafka.putAll(properties);
      return this;
    }

    /**
     * The prefix of Baton's topics ({@code baton}: {@code baton.triggers}, {@code baton.events}).
     */
    public Builder topicPrefix(String topicPrefix) {
      this.prefix = topicPrefix;
      return this;
    }

    /** Writes Avro in the Confluent format, with the registry at {@code registryUrl}. */
    public Builder avro(String registryUrl) {
      this.wire = Wire.of("avro", registryUrl, null);
      return this;
    }

    /** How long a send may wait for Kafka before it fails (default 15 s). */
    public Builder timeout(Duration value) {
      this.timeout = value;
      return this;
    }

    /** Who the commands this client sends come from, as approvals record it. */
    public Builder source(String who) {
      this.source = who;
      return this;
    }

    /**
     * The client, reading the events topic from its end.
     *
     * @throws BatonException when Kafka does not answer in time or has no Baton topics
     */
    public BatonClient build() {
      return new BatonClient(
          new Settings(Map.copyOf(kafka), Topics.withPrefix(prefix), wire, timeout, source));
    }
  }
}
