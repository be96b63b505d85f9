package dev.baton.cli.bench;

import dev.baton.events.DispatchAction;
import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.serde.Wire;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The architecture's ceiling: a Kafka Streams topology with the engine's settings that turns each
 * completion into a dispatch of the same run, with no Redis and no decision. It decodes and
 * encodes as the engine does, so only Baton's own work separates the two.
 */
final class CeilingTopology {
  private CeilingTopology() {}

  static Topology build(String completions, String dispatch, Wire wire) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(completions, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .mapValues(bytes -> wire.encode(dispatch, next(wire.decode(bytes, JobCompletion.class))))
        .to(dispatch, Produced.with(Serdes.String(), Serdes.ByteArray()));
    return builder.build();
  }

  private static JobDispatch next(JobCompletion c) {
    int step = c.getJob().equals("start") ? 1 : Integer.parseInt(c.getJob().substring("step-".length())) + 1;
    return JobDispatch.newBuilder().setEventId(c.getRunId() + "/step-" + step + "/1").setRunId(c.getRunId()).setOccurredAt(Instant.now())
        .setAction(DispatchAction.START).setTemplate("bench-seq").setTemplateVersion(1).setJob("step-" + step).setAttempt(1)
        .setAttemptId(c.getRunId() + "/step-" + step + "/1").build();
  }
}
