package dev.baton.template;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a {@code wait} step waits for: one keyed event or one person's approval. It has no command;
 * its job's {@code timeout} bounds the wait.
 */
public record WaitSpec(EventWait event, Approval approval) {

  /** How long an event is kept for a step that has not started waiting yet, unless it says. */
  public static final Duration DEFAULT_BUFFER = Duration.ofHours(1);

  /** Most characters of a correlation key: it is a Kafka record key and a state-store key. */
  public static final int MAX_KEY_CHARS = 1_024;

  /** The longest {@code buffer} a template may ask for. */
  public static final Duration MAX_BUFFER = Duration.ofDays(7);

  /**
   * An event on {@code topic} whose correlation key ({@code key}, CEL over {@code event}) equals
   * this run's {@code match} (a text with {@code ${...}} references) and that passes {@code filter}
   * (CEL over {@code event}; null: every event); {@code outputs} (name → CEL over {@code event})
   * become the step's outputs. Such events arriving before the step waits are kept for {@code
   * buffer}.
   */
  public record EventWait(
      String topic,
      String key,
      String match,
      String filter,
      Map<String, String> outputs,
      Duration buffer) {
    public EventWait {
      outputs = Ordered.copy(outputs);
    }
  }

  /**
   * A person approves or rejects (CLI, API, UI, or a command on the commands topic), giving the
   * named {@code inputs}, which become the step's outputs.
   */
  public record Approval(String prompt, List<String> inputs) {
    public Approval {
      inputs = List.copyOf(inputs);
    }
  }

  /**
   * The name a wait goes by between the events routed for it and the attempts waiting under it:
   * {@code template@version/job}, since a run waits as the version it started with says.
   */
  public static String ruleName(String template, int version, String job) {
    return template + "@" + version + "/" + job;
  }
}
