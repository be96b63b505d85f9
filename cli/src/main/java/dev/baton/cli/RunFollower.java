package dev.baton.cli;

import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.serde.EventCodec;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.Wire;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one run on the events topic and prints each job as it starts and ends. Open it (which
 * fixes the starting offsets at the end of the topic) before publishing the trigger, so no event is
 * missed.
 */
public final class RunFollower implements AutoCloseable {
  private final EventCodec<RunEvent> codec;
  private final KafkaConsumer<String, byte[]> consumer;

  public RunFollower(
      String bootstrapServers, String eventsTopic, boolean fromBeginning, Wire wire) {
    this.codec = EventCodec.of(RunEvent.class, wire);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.putAll(KafkaOptions.clientProperties());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-cli-" + UUID.randomUUID());
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(eventsTopic, Duration.ofSeconds(15))) {
      partitions.add(new TopicPartition(eventsTopic, info.partition()));
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException(
          "topic " + eventsTopic + " does not exist: is Baton running (./baton dev)?");
    }
    consumer.assign(partitions);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
    partitions.forEach(consumer::position);
  }

  /**
   * Prints the run's events until it ends or {@code timeout} passes.
   *
   * @return the final event type, or null on timeout
   */
  public RunEventType follow(String runId, PrintStream out, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        if (!runId.equals(record.key())) {
          continue;
        }
        RunEvent event;
        try {
          event = codec.decode(record.value());
        } catch (EventFormatException e) {
          continue;
        }
        String line = describe(event);
        if (line != null) {
          out.println(line);
        }
        RunEventType type = ended(event);
        if (type == RunEventType.RUN_SUCCEEDED
            || type == RunEventType.RUN_FAILED
            || type == RunEventType.RUN_CANCELLED
            || type == RunEventType.REJECTED) {
          return type;
        }
      }
    }
    return null;
  }

  /**
   * The event's type, or for a trigger that named a run which had ended (TRIGGER_REPEATED), the
   * type of that run's end.
   */
  static RunEventType ended(RunEvent e) {
    if (e.getType() != RunEventType.TRIGGER_REPEATED || e.getRunStatus() == null) {
      return e.getType();
    }
    return switch (e.getRunStatus()) {
      case "SUCCEEDED" -> RunEventType.RUN_SUCCEEDED;
      case "FAILED" -> RunEventType.RUN_FAILED;
      case "CANCELLED" -> RunEventType.RUN_CANCELLED;
      default -> e.getType();
    };
  }

  /**
   * One line per event; null for the routine events of fan-out instances (they can be thousands).
   */
  static String describe(RunEvent e) {
    String name =
        e.getJob() == null ? "" : e.getJob() + (e.getItem() == null ? "" : "[" + e.getItem() + "]");
    String job =
        e.getJob() == null
            ? ""
            : String.format(
                "  %-12s %-3s ", name, e.getAttempt() == null ? "" : "#" + e.getAttempt());
    if (e.getItem() != null
        && (e.getType() == RunEventType.JOB_DISPATCHED
            || e.getType() == RunEventType.JOB_SUCCEEDED)) {
      return null;
    }
    return switch (e.getType()) {
      case RUN_STARTED ->
          "run "
              + e.getRunId()
              + " started ("
              + e.getTemplate()
              + " v"
              + e.getTemplateVersion()
              + ")";
      case JOB_DISPATCHED -> job + "started    " + nullToEmpty(e.getDetail());
      case JOB_SUCCEEDED ->
          job
              + "succeeded  "
              + (e.getOutputs() == null || e.getOutputs().isEmpty()
                  ? nullToEmpty(e.getDetail())
                  : outputs(e.getOutputs()));
      case JOB_FAILED -> job + "FAILED     " + nullToEmpty(e.getDetail());
      case RUN_SUCCEEDED -> "run " + e.getRunId() + " SUCCEEDED";
      case RUN_FAILED -> "run " + e.getRunId() + " FAILED: " + nullToEmpty(e.getDetail());
      case RUN_CANCELLED -> "run " + e.getRunId() + " CANCELLED";
      case REJECTED -> "run " + e.getRunId() + " REJECTED: " + nullToEmpty(e.getDetail());
      case JOB_SKIPPED -> job + "skipped    " + nullToEmpty(e.getDetail());
      case JOB_RETRYING -> job + "retrying   " + nullToEmpty(e.getDetail());
      case JOB_CANCELLED -> job + "cancelled  " + nullToEmpty(e.getDetail());
      case RUN_QUEUED -> "run " + e.getRunId() + " QUEUED (" + nullToEmpty(e.getDetail()) + ")";
      case RUN_RETRIED -> "run " + e.getRunId() + " rerun from its failed jobs";
      case JOB_WAITING -> job + "WAITING    " + nullToEmpty(e.getDetail());
      case RUN_PAUSED -> "run " + e.getRunId() + " PAUSED (" + nullToEmpty(e.getDetail()) + ")";
      case RUN_RESUMED -> "run " + e.getRunId() + " resumed";
      case RUN_SLA_MISSED ->
          "run " + e.getRunId() + " MISSED ITS SLA: " + nullToEmpty(e.getDetail());
      case JOB_SLA_MISSED -> job + "SLA MISSED " + nullToEmpty(e.getDetail());
      case TRIGGER_REPEATED ->
          "run "
              + e.getRunId()
              + " exists ("
              + e.getRunStatus()
              + "): this trigger started nothing"
              + (e.getOutputs() == null || e.getOutputs().isEmpty()
                  ? ""
                  : "; outputs " + outputs(e.getOutputs()))
              + (e.getDetail() == null ? "" : "; " + e.getDetail());
      case JOB_CACHED ->
          job + "CACHED     " + outputs(e.getOutputs()) + "  (" + nullToEmpty(e.getDetail()) + ")";
      default -> job + e.getType() + " " + nullToEmpty(e.getDetail());
    };
  }

  private static String outputs(Map<String, String> outputs) {
    return outputs.entrySet().stream()
        .map(o -> o.getKey() + "=" + shorten(o.getValue()))
        .collect(Collectors.joining(" "));
  }

  /**
   * Long values (a fan-in's list) are cut for the terminal; `baton status --json` has them whole.
   */
  static String shorten(String value) {
    return value.length() <= 120
        ? value
        : value.substring(0, 100) + "… (" + value.length() + " chars)";
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
