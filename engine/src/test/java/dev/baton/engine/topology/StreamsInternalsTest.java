package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * What the engine takes from Kafka Streams beyond its public API still works in the version on the
 * classpath: a Kafka Streams upgrade that moves it fails here, by name, instead of making the
 * engine quietly apply every record on its own.
 */
class StreamsInternalsTest {
  @Test
  void aProcessorReachesItsTaskAndForwardsOutsideProcess() {
    List<Boolean> reached = new ArrayList<>();
    List<StreamsInternals> internals = new ArrayList<>();
    List<ProcessorContext<String, String>> contexts = new ArrayList<>();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(
            "in", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.String()))
        .process(
            () ->
                new Processor<String, String, String, String>() {
                  private ProcessorContext<String, String> context;
                  private StreamsInternals mine;

                  @Override
                  public void init(ProcessorContext<String, String> context) {
                    this.context = context;
                    this.mine = new StreamsInternals(context);
                    internals.add(mine);
                    contexts.add(context);
                  }

                  @Override
                  public void process(Record<String, String> record) {
                    reached.add(mine.reachesItsTask());
                    context.forward(record);
                  }
                })
        .to(
            "out",
            org.apache.kafka.streams.kstream.Produced.with(Serdes.String(), Serdes.String()));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "internals");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), p)) {
      TestInputTopic<String, String> in =
          driver.createInputTopic("in", Serdes.String().serializer(), Serdes.String().serializer());
      TestOutputTopic<String, String> out =
          driver.createOutputTopic(
              "out", Serdes.String().deserializer(), Serdes.String().deserializer());
      in.pipeInput("k", "v");
      assertEquals(List.of(true), reached, "the processor's context reaches its StreamTask");
      assertEquals("v", out.readValue());
      // Outside process (as in the commit hook) there is no current node: one is set for the
      // call, so what is forwarded reaches the processor's children.
      internals
          .get(0)
          .asProcessor(0L, () -> contexts.get(0).forward(new Record<>("k2", "from the hook", 0L)));
      driver.advanceWallClockTime(java.time.Duration.ZERO); // the driver collects what was sent
      assertEquals("from the hook", out.readValue());
      assertTrue(out.isEmpty());
    }
  }
}
