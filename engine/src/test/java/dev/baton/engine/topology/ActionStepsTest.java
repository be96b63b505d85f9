package dev.baton.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.decide.JobStatus;
import dev.baton.engine.decide.RunStatus;
import dev.baton.events.JobDispatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sleep, emit and service steps through the topology: no process, records in the decision. */
class ActionStepsTest {
  final TopologyFixture f = new TopologyFixture();
  TestOutputTopic<String, String> shipped;
  TestOutputTopic<String, String> requests;

  @BeforeEach
  void store() {
    f.store(
        """
        name: services
        version: 1
        params: {order: {required: true}, sku: {default: "s-1"}}
        jobs:
          - name: nap
            sleep: {for: 2s}
          - name: announce
            emit:
              topic: orders.shipped
              key: "${params.order}"
              value: {order: "${params.order}", lines: ["${params.sku}"]}
          - name: reserve
            service:
              topic: inventory.requests
              key: "${params.sku}"
              value: {sku: "${params.sku}"}
            timeout: 1m
            outputs: [reservationId]
          - name: pack
            command: [pack, "${jobs.reserve.outputs.reservationId}"]
        """);
    shipped =
        f.driver.createOutputTopic(
            "orders.shipped", Serdes.String().deserializer(), Serdes.String().deserializer());
    requests =
        f.driver.createOutputTopic(
            "inventory.requests", Serdes.String().deserializer(), Serdes.String().deserializer());
  }

  @AfterEach
  void close() {
    f.close();
  }

  static String header(TestRecord<String, String> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aRunOfSleepEmitAndServiceStepsRunsNoProcessUntilItsCommand() {
    f.triggers.pipeInput(
        "o1", "{\"runId\":\"o1\",\"template\":\"services\",\"params\":{\"order\":\"o-1\"}}");
    assertTrue(f.dispatches().isEmpty(), "a sleep dispatches nothing");
    assertEquals(JobStatus.RUNNING, f.runs.states.get("o1").job("nap").status());
    assertTrue(f.runs.timers.containsKey("o1/nap/1/sleep"));

    f.fire("o1/nap/1/sleep");
    TestRecord<String, String> event = shipped.readRecord();
    assertEquals("o-1", event.key());
    assertEquals("{\"order\":\"o-1\",\"lines\":[\"s-1\"]}", event.value());
    assertEquals(JobStatus.SUCCEEDED, f.runs.states.get("o1").job("announce").status());

    TestRecord<String, String> request = requests.readRecord();
    assertEquals("s-1", request.key());
    assertEquals("{\"sku\":\"s-1\"}", request.value());
    assertEquals("o1", header(request, "baton-run-id"));
    assertEquals("reserve", header(request, "baton-job"));
    assertEquals("1", header(request, "baton-attempt"));
    assertEquals("o1/reserve/1", header(request, "baton-attempt-id"));
    assertEquals(TopologyFixture.TOPICS.completions(), header(request, "baton-reply-topic"));
    assertTrue(header(request, "traceparent").startsWith("00-"));
    assertTrue(f.dispatches().isEmpty(), "nothing dispatched yet");

    // The service answers with the token the request carried.
    f.completions.pipeInput(
        "o1",
        "{\"runId\":\"o1\",\"job\":\"reserve\",\"attempt\":1,\"status\":\"SUCCEEDED\","
            + "\"outputs\":{\"reservationId\":\"res-9\"},\"reporter\":\"inventory\",\"token\":\""
            + header(request, "baton-attempt-token")
            + "\"}");
    List<JobDispatch> next = f.dispatches();
    assertEquals(1, next.size());
    assertEquals(List.of("pack", "res-9"), next.get(0).getCommand());
    f.complete("o1", "pack", null, 1, "SUCCEEDED");
    assertEquals(RunStatus.SUCCEEDED, f.runs.states.get("o1").status());
  }

  @Test
  void aReplyWithoutTheTokenOrForAnAttemptThatEndedIsDeadLettered() {
    f.triggers.pipeInput(
        "o2", "{\"runId\":\"o2\",\"template\":\"services\",\"params\":{\"order\":\"o-2\"}}");
    f.fire("o2/nap/1/sleep");
    TestRecord<String, String> request = requests.readRecord();
    String reply =
        "{\"runId\":\"o2\",\"job\":\"reserve\",\"attempt\":1,\"status\":\"SUCCEEDED\","
            + "\"outputs\":{\"reservationId\":\"late\"}%s}";
    f.completions.pipeInput("o2", reply.formatted(""));
    List<String> reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).contains("has no attempt token"), reasons.get(0));

    f.fire("o2/reserve/1/timeout");
    assertEquals(RunStatus.FAILED, f.runs.states.get("o2").status());
    assertTrue(
        f.runs.states.get("o2").job("reserve").error().contains("no reply from the service"),
        f.runs.states.get("o2").job("reserve").error());
    f.completions.pipeInput(
        "o2", reply.formatted(",\"token\":\"" + header(request, "baton-attempt-token") + "\""));
    reasons = f.deadLetterReasons();
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).startsWith("reply refused"), reasons.get(0));
    assertNull(f.runs.states.get("o2").job("reserve").outputs().get("reservationId"));
  }
}
