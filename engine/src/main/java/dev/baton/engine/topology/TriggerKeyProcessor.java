package dev.baton.engine.topology;

import dev.baton.events.WorkflowTrigger;
import dev.baton.serde.DeadLetters;
import dev.baton.serde.EventFormatException;
import dev.baton.serde.RunIds;
import dev.baton.serde.Wire;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Keys a trigger by its run id ({@link RunIds}) and sends it where its run lives. A trigger that
 * already sits on its run's partition (the CLI, the API, and Baton's own rules and schedules key
 * triggers that way) goes straight to the run processor of this task; any other goes through the
 * repartition topic first, which costs a hop and a commit. An unreadable or oversized trigger
 * belongs to no run: it goes straight on, to be dead-lettered with the reason. The original bytes
 * pass through untouched (an oversized one cut to its head), and headers record where the trigger
 * came from.
 */
final class TriggerKeyProcessor implements Processor<byte[], byte[], String, KeyedTrigger> {
  private final Wire wire;
  private final boolean exactlyOnce;
  private final int runPartitions;
  private ProcessorContext<String, KeyedTrigger> context;
  private StreamsInternals internals;

  /**
   * {@code runPartitions}: the partitions of the run processor's input topics; {@code exactlyOnce}:
   * ask for a commit when the task's input is drained, so a re-keyed trigger is not held back.
   */
  TriggerKeyProcessor(Wire wire, boolean exactlyOnce, int runPartitions) {
    this.wire = wire;
    this.exactlyOnce = exactlyOnce;
    this.runPartitions = runPartitions;
  }

  @Override
  public void init(ProcessorContext<String, KeyedTrigger> context) {
    this.context = context;
    this.internals = new StreamsInternals(context);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    Record<String, KeyedTrigger> out;
    if (record.value() != null && record.value().length > DeadLetters.MAX_VALUE_BYTES) {
      // Too large to pass on (or to dead-letter whole): keep its head, and say how large it was.
      out =
          record
              .withKey(RunIds.forRecord(meta.partition(), meta.offset(), record.timestamp()))
              .withValue(
                  new KeyedTrigger(
                      Arrays.copyOf(record.value(), DeadLetters.KEPT_BYTES), true, null));
      out.headers()
          .add(
              DeadLetters.ORIGINAL_SIZE,
              Integer.toString(record.value().length).getBytes(StandardCharsets.UTF_8));
    } else {
      WorkflowTrigger trigger = readQuietly(record.value());
      String runId = RunIds.of(trigger, meta.partition(), meta.offset(), record.timestamp());
      boolean here = trigger == null || RunIds.partition(runId, runPartitions) == meta.partition();
      out = record.withKey(runId).withValue(new KeyedTrigger(record.value(), here, trigger));
    }
    out.headers()
        .remove(DeadLetters.SOURCE_TOPIC)
        .remove(DeadLetters.SOURCE_PARTITION)
        .remove(DeadLetters.SOURCE_OFFSET)
        .remove(DeadLetters.SOURCE_KEY);
    if (record.key() != null) {
      out.headers().add(DeadLetters.SOURCE_KEY, record.key());
    }
    out.headers().add(DeadLetters.SOURCE_TOPIC, meta.topic().getBytes(StandardCharsets.UTF_8));
    out.headers()
        .add(
            DeadLetters.SOURCE_PARTITION,
            Integer.toString(meta.partition()).getBytes(StandardCharsets.UTF_8));
    out.headers()
        .add(
            DeadLetters.SOURCE_OFFSET,
            Long.toString(meta.offset()).getBytes(StandardCharsets.UTF_8));
    context.forward(out);
    if (exactlyOnce && !out.value().here() && !internals.taskHasQueuedRecords()) {
      context.commit(); // the re-keyed trigger is read only once this transaction commits
    }
  }

  /**
   * The trigger, or null when it cannot be read (the run processor dead-letters it with the
   * reason).
   */
  private WorkflowTrigger readQuietly(byte[] value) {
    try {
      return wire.decode(value, WorkflowTrigger.class);
    } catch (EventFormatException e) {
      return null;
    }
  }
}
