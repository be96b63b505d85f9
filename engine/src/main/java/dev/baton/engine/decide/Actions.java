package dev.baton.engine.decide;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.events.DispatchAction;
import dev.baton.events.HttpCall;
import dev.baton.events.RunEventType;
import dev.baton.events.SecretRef;
import dev.baton.events.TimerFired;
import dev.baton.events.TimerKind;
import dev.baton.template.JobSpec;
import dev.baton.template.StepAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps that run no process, as attempts like any other: {@code http} is dispatched to the
 * dispatcher as a call instead of a command; a {@code service} request and an {@code emit} event
 * are records the engine writes in the decision's own transaction (the request's attempt then runs
 * until the service's completion comes, bounded by the step's timeout or else its start timeout;
 * the emit step succeeds at once); {@code sleep} is a timer of the run, like a retry's.
 */
final class Actions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Most bytes of a record a service or emit step writes. */
  static final int MAX_RECORD_BYTES = 900 * 1024;

  /** An HTTP call's time limit when the step gives no timeout. */
  static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(30);

  private Actions() {}

  /**
   * Carries out attempt {@code attempt} of an action step (of instance {@code item}, null for the
   * job itself). Returns false if its references failed (the run fails).
   */
  static boolean start(Step s, JobSpec spec, ItemState item, int attempt) {
    Substitution sub = new Substitution(s.state, item == null ? null : item.value());
    try {
      StepAction action = spec.action();
      if (action instanceof StepAction.Http h) {
        http(s, spec, item, attempt, h, sub);
      } else if (action instanceof StepAction.Service r) {
        service(s, spec, item, attempt, r, sub);
      } else if (action instanceof StepAction.Emit e) {
        emit(s, spec, attempt, e, sub);
      } else if (action instanceof StepAction.Sleep z) {
        sleep(s, spec, attempt, z, sub);
      }
      return true;
    } catch (Substitution.MissingValueException e) {
      Dispatches.unresolved(s, spec, e.getMessage());
      return false;
    } catch (IllegalArgumentException e) {
      Dispatches.unresolved(s, spec, spec.action().kind() + ": " + e.getMessage());
      return false;
    }
  }

  private static void http(
      Step s, JobSpec spec, ItemState item, int attempt, StepAction.Http h, Substitution sub) {
    Map<String, String> headers = new LinkedHashMap<>();
    h.headers().forEach((k, v) -> headers.put(k, sub.apply(v)));
    Map<String, SecretRef> secrets = new LinkedHashMap<>();
    h.secretHeaders().forEach((k, v) -> secrets.put(k, new SecretRef(v.name(), v.key())));
    HttpCall call =
        HttpCall.newBuilder()
            .setMethod(h.method())
            .setUrl(sub.apply(h.url()))
            .setHeaders(headers)
            .setSecretHeaders(secrets)
            .setBody(h.body() == null ? null : sub.apply(h.body()))
            .setExpect(h.expect())
            .setOutputs(h.outputs())
            .build();
    Integer index = item == null ? null : item.index();
    markDispatched(s, spec, item, attempt);
    Duration timeout = spec.timeout() != null ? spec.timeout() : DEFAULT_HTTP_TIMEOUT;
    s.add(
        new EngineCommand.DispatchJob(
            Dispatches.attempt(s, spec.name(), index, attempt, DispatchAction.START)
                .setCommand(List.of())
                .setEnv(Map.of())
                .setTimeoutMs(timeout.toMillis())
                .setHttp(call)
                .setPriority(s.state.priority())
                .build()));
    s.emit(
        RunEventType.JOB_DISPATCHED,
        spec.name(),
        index,
        attempt,
        null,
        Map.of(),
        call.getMethod() + " " + call.getUrl());
    Dispatches.timeoutIn(s, spec.name(), index, attempt, spec.startTimeout());
  }

  private static void service(
      Step s, JobSpec spec, ItemState item, int attempt, StepAction.Service r, Substitution sub) {
    Integer index = item == null ? null : item.index();
    String value = json(r.value(), sub);
    markDispatched(s, spec, item, attempt);
    markStarted(s, spec, item);
    s.add(
        new EngineCommand.Produce(
            r.topic(),
            r.key() == null ? null : sub.apply(r.key()),
            value,
            new EngineCommand.ServiceRequest(
                s.state.runId(), spec.name(), index, attempt, s.now.plus(replyWithin(spec)))));
    s.emit(
        RunEventType.JOB_DISPATCHED,
        spec.name(),
        index,
        attempt,
        null,
        Map.of(),
        "request on " + r.topic());
    Dispatches.timeoutIn(s, spec.name(), index, attempt, replyWithin(spec));
  }

  /** How long a service has to answer a request: the step's timeout, else its start timeout. */
  static Duration replyWithin(JobSpec spec) {
    return spec.timeout() != null ? spec.timeout() : spec.startTimeout();
  }

  private static void emit(Step s, JobSpec spec, int attempt, StepAction.Emit e, Substitution sub) {
    String value = json(e.value(), sub);
    s.add(
        new EngineCommand.Produce(
            e.topic(), e.key() == null ? null : sub.apply(e.key()), value, null));
    JobState job = s.job(spec.name());
    s.put(job.dispatched(attempt, s.now).succeeded(Map.of(), null, s.now, s.now));
    s.emit(
        RunEventType.JOB_SUCCEEDED,
        spec.name(),
        null,
        attempt,
        null,
        Map.of(),
        "published on " + e.topic());
    if (Completions.isExitHandler(s, spec)) {
      Lifecycle.exitHandlerEnded(s, true);
    }
    // Otherwise the loop that started it (NextJobs.advance) goes on to what follows.
  }

  private static void sleep(
      Step s, JobSpec spec, int attempt, StepAction.Sleep z, Substitution sub) {
    Instant until;
    if (z.duration() != null) {
      until = s.now.plus(z.duration());
    } else {
      String text = sub.apply(z.until());
      try {
        until = Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "until gave '" + text + "', not an ISO-8601 instant (such as 2026-12-24T18:00:00Z)");
      }
    }
    JobState job = s.job(spec.name());
    s.put(job.dispatched(attempt, s.now).started(s.now));
    Duration left = Duration.between(s.now, until);
    s.add(
        new EngineCommand.ScheduleTimer(
            Dispatches.timer(
                s,
                TimerKind.SLEEP,
                spec.name(),
                null,
                attempt,
                left.isNegative() ? Duration.ZERO : left)));
    s.emit(
        RunEventType.JOB_DISPATCHED,
        spec.name(),
        null,
        attempt,
        null,
        Map.of(),
        "sleeping until " + until);
  }

  /** A sleep came due: the step succeeds, if it still sleeps at that attempt. */
  static Decision slept(Step s, TimerFired t) {
    JobSpec spec = s.template.job(t.getJob()).orElse(null);
    JobState job = s.job(t.getJob());
    if (spec == null
        || job == null
        || job.status() != JobStatus.RUNNING
        || t.getAttempt() == null
        || job.attempt() != t.getAttempt()) {
      return Decider.ignore(s.state, "sleep timer " + t.getEventId() + " is stale");
    }
    s.put(job.succeeded(Map.of(), null, job.startedAt(), s.now));
    s.emit(RunEventType.JOB_SUCCEEDED, spec.name(), null, job.attempt(), null, Map.of(), "slept");
    Completions.afterJobEnded(s, spec);
    return s.decision();
  }

  /** A stopped attempt of an action step: what it holds in the run goes. */
  static void stop(Step s, JobSpec spec, Integer item, int attempt) {
    if (spec.action() instanceof StepAction.Sleep) {
      s.add(
          new EngineCommand.CancelTimer(
              Dispatches.timerId(s.state.runId(), TimerKind.SLEEP, spec.name(), item, attempt)));
    }
    Dispatches.cancelTimeout(s, spec.name(), item, attempt);
  }

  private static void markDispatched(Step s, JobSpec spec, ItemState item, int attempt) {
    if (item == null) {
      s.put(s.job(spec.name()).dispatched(attempt, s.now));
    } else {
      s.put(item.dispatched(attempt));
    }
  }

  private static void markStarted(Step s, JobSpec spec, ItemState item) {
    if (item == null) {
      s.put(s.job(spec.name()).started(s.now));
    } else {
      s.put(s.item(spec.name(), item.index()).started(s.now));
    }
  }

  /** The value with its string leaves resolved, as JSON text, within {@link #MAX_RECORD_BYTES}. */
  private static String json(JsonNode template, Substitution sub) {
    String text;
    try {
      text = JSON.writeValueAsString(resolved(template, sub));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage());
    }
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "the record would be " + bytes + " bytes; at most " + MAX_RECORD_BYTES);
    }
    return text;
  }

  private static JsonNode resolved(JsonNode node, Substitution sub) {
    if (node.isTextual()) {
      return TextNode.valueOf(sub.apply(node.asText()));
    }
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      node.fields().forEachRemaining(e -> out.set(e.getKey(), resolved(e.getValue(), sub)));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JSON.createArrayNode();
      node.forEach(n -> out.add(resolved(n, sub)));
      return out;
    }
    return node;
  }
}
