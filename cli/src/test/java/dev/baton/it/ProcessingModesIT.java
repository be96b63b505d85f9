package dev.baton.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.EngineConfig;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.RunEvent;
import dev.baton.events.RunEventType;
import dev.baton.serde.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two processing guarantees. At least once: every input record processed again after the
 * engine's offsets are rewound changes nothing a user can see but repeated events (same event ids):
 * no job runs twice, the run's state and version stay as they were. Exactly once with write-behind:
 * a trigger for a run id that exists is refused at commit and dropped, and the engine goes on.
 */
class ProcessingModesIT {
  private static final String COUNTED =
      """
      name: counted
      version: 1
      params:
        log: {}
      jobs:
        - name: one
          image: busybox:1.36
          command: [sh, -c, 'echo one >> "$LOG"']
          env: {LOG: "${params.log}"}
        - name: two
          image: busybox:1.36
          command: [sh, -c, 'echo two >> "$LOG"']
          env: {LOG: "${params.log}"}
        - name: three
          image: busybox:1.36
          command: [sh, -c, 'echo three >> "$LOG"']
          env: {LOG: "${params.log}"}
      """;

  @TempDir Path work;

  @Test
  void atLeastOnceReplayOfEveryInputHasNoDuplicateEffect() throws Exception {
    try (BatonHarness baton =
        new BatonHarness("alos", work, null, 4, null, Wire.json(), EngineConfig.AT_LEAST_ONCE)) {
      baton.apply("counted.yaml", COUNTED);
      Path log = work.resolve("executions.log");
      baton.trigger("alos-run-1", "counted", Map.of("log", log.toString()));
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("alos-run-1").status());
      assertEquals(List.of("one", "two", "three"), Files.readAllLines(log));
      long version = baton.engine.runs().load("alos-run-1", "-").version();
      await()
          .atMost(BatonHarness.DEADLINE)
          .until(() -> baton.count("alos-run-1", RunEventType.RUN_SUCCEEDED, null) == 1);
      List<RunEvent> before = baton.eventsOf("alos-run-1");

      baton.engine.close();
      rewindEngineOffsets(baton);
      baton.engine = baton.startEngine();

      await()
          .atMost(BatonHarness.DEADLINE)
          .until(
              () ->
                  baton.engine.counters().reemitted() + baton.engine.counters().duplicates() >= 4);
      baton.trigger("alos-run-2", "counted", Map.of("log", work.resolve("second.log").toString()));
      assertEquals(
          RunStatus.SUCCEEDED, baton.awaitEnd("alos-run-2").status()); // the replay is behind us
      assertEquals(List.of("one", "two", "three"), Files.readAllLines(log), "no job ran again");
      assertEquals(
          version,
          baton.engine.runs().load("alos-run-1", "-").version(),
          "the run's state was not written again");
      assertEquals(
          RunStatus.SUCCEEDED, baton.engine.runs().find("alos-run-1").orElseThrow().status());
      await()
          .atMost(BatonHarness.DEADLINE)
          .until(
              () ->
                  baton.eventsOf("alos-run-1").size()
                      > before.size()); // the replay re-emitted events
      List<RunEvent> after = baton.eventsOf("alos-run-1");
      assertEquals(
          ids(before),
          ids(after),
          "re-emitted events carry the ids they had: consumers drop them by id");
    }
  }

  @Test
  void exactlyOnceTriggerForAnExistingRunIsDroppedAndTheEngineGoesOn() throws Exception {
    try (BatonHarness baton =
        new BatonHarness(
            "eos-again", work, null, 4, null, Wire.json(), EngineConfig.EXACTLY_ONCE)) {
      baton.apply("counted.yaml", COUNTED);
      Path log = work.resolve("once.log");
      baton.trigger("eos-again-1", "counted", Map.of("log", log.toString()));
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("eos-again-1").status());
      // The refused commit replaces the stream thread; the old member leaves the group after the
      // session timeout.
      baton.engineKafka = Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1500");
      baton
          .restartEngine(); // nothing in memory: the trigger is taken for a new run's, and its save
      // refused at commit
      long duplicates = baton.engine.counters().duplicates();

      baton.trigger("eos-again-1", "counted", Map.of("log", log.toString()));
      await()
          .atMost(BatonHarness.DEADLINE)
          .until(() -> baton.engine.counters().duplicates() > duplicates);
      baton.trigger("eos-again-2", "counted", Map.of("log", work.resolve("other.log").toString()));
      assertEquals(RunStatus.SUCCEEDED, baton.awaitEnd("eos-again-2").status());

      assertEquals(
          1, baton.count("eos-again-1", RunEventType.RUN_STARTED, null), "one run, one start");
      assertEquals(List.of("one", "two", "three"), Files.readAllLines(log));
    }
  }

  private static Set<String> ids(List<RunEvent> events) {
    return events.stream().map(RunEvent::getEventId).collect(Collectors.toSet());
  }

  /** Every input partition of the engine back to offset 0, as if it had never committed. */
  private static void rewindEngineOffsets(BatonHarness baton) throws Exception {
    String group = baton.prefix + "-engine";
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, baton.bootstrap))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetAndMetadata> rewound = new HashMap<>();
      committed.keySet().forEach(tp -> rewound.put(tp, new OffsetAndMetadata(0)));
      assertTrue(
          rewound.keySet().stream().anyMatch(tp -> tp.topic().equals(baton.topics.completions())),
          committed.toString());
      await()
          .atMost(BatonHarness.DEADLINE)
          .ignoreExceptions()
          .until(() -> admin.alterConsumerGroupOffsets(group, rewound).all().get() == null);
    }
  }
}
