package dev.baton.engine.triggers;

import dev.baton.events.WorkflowTrigger;
import dev.baton.serde.RunIds;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Triggers the engine writes itself (schedules, trigger rules). */
final class TriggerRecords {
  private TriggerRecords() {}

  /**
   * {@code trigger} keyed by the run its idempotency key starts, so it lands on its run's partition
   * and needs no repartition.
   */
  static ProducerRecord<String, byte[]> keyedByRun(
      Topics topics, Wire wire, WorkflowTrigger trigger) {
    return new ProducerRecord<>(
        topics.triggers(),
        RunIds.forIdempotencyKey(trigger.getIdempotencyKey()),
        wire.encode(topics.triggers(), trigger));
  }
}
