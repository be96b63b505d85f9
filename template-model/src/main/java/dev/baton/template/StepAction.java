package dev.baton.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a step that runs no process does; Baton carries it out itself. {@code http}: the dispatcher
 * calls an endpoint; {@code service}: the engine writes a request to a service on Kafka, which
 * answers with a completion; {@code emit}: the engine publishes one record and the step succeeds;
 * {@code sleep}: a durable timer. Strings may hold {@code ${...}} references, resolved when the
 * attempt starts; the values of {@code service} and {@code emit} are JSON whose string leaves are.
 */
public sealed interface StepAction {
  /** The key a template writes it under: http, service, emit, sleep. */
  String kind();

  /**
   * {@code method} (GET unless said), {@code url}, {@code headers} (values, or secret references
   * resolved by the dispatcher), {@code body}, the statuses that succeed ({@code expect}; empty:
   * any 2xx), and outputs as CEL over {@code response.status}, {@code .headers}, {@code .json} and
   * {@code .text}.
   */
  record Http(
      String method,
      String url,
      Map<String, String> headers,
      Map<String, JobSpec.SecretRef> secretHeaders,
      String body,
      List<Integer> expect,
      Map<String, String> outputs)
      implements StepAction {
    public Http {
      headers = Ordered.copy(headers);
      secretHeaders = Ordered.copy(secretHeaders);
      expect = List.copyOf(expect);
      outputs = Ordered.copy(outputs);
    }

    @Override
    public String kind() {
      return "http";
    }
  }

  /** A request record on {@code topic}, keyed by {@code key}, whose value is {@code value}. */
  record Service(String topic, String key, JsonNode value) implements StepAction {
    @Override
    public String kind() {
      return "service";
    }
  }

  /** One record on {@code topic}, published with the decision; the step succeeds at once. */
  record Emit(String topic, String key, JsonNode value) implements StepAction {
    @Override
    public String kind() {
      return "emit";
    }
  }

  /** A pause for {@code duration}, or until the instant {@code until} gives (one of them). */
  record Sleep(Duration duration, String until) implements StepAction {
    @Override
    public String kind() {
      return "sleep";
    }
  }
}
