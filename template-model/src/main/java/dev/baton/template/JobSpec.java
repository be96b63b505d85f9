package dev.baton.template;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One job of a template: an argv (never run through a shell unless argv itself is {@code sh -c}),
 * the image the Kubernetes runtime uses, environment, the output keys it promises to write, the
 * jobs it waits for ({@code dependsOn}, resolved: the job listed before when the template did not
 * say), an optional condition ({@code when}), fan-out ({@code forEach}, {@code maxParallel}: 0 is
 * no limit), retries and a timeout (null when none; it counts from the attempt's start), how long
 * an attempt may wait for a dispatcher to start it ({@code startTimeout}), the runtime ({@code
 * local} or {@code kubernetes}; null: the dispatcher's default) and Kubernetes settings (null:
 * defaults). A job with {@code wait} runs nothing: it waits for an event or an approval (its
 * command is empty, its outputs are the wait's). A job with {@code run} runs another template as a
 * child run (its command is empty, its outputs are the child template's). A job with {@code cache}
 * reuses a stored result for the same key instead of running. A job with an {@code action} ({@code
 * http}, {@code service}, {@code emit}, {@code sleep}) runs no process either: Baton carries it
 * out.
 */
public record JobSpec(
    String name,
    List<String> command,
    String image,
    Map<String, String> env,
    List<String> outputs,
    List<String> dependsOn,
    String when,
    String forEach,
    int maxParallel,
    RetrySpec retry,
    Duration timeout,
    String runtime,
    KubernetesOptions pod,
    Map<String, SecretRef> secretEnv,
    Duration startTimeout,
    WaitSpec waitFor,
    Duration sla,
    CacheSpec cache,
    RunSpec run,
    StepAction action,
    ArtifactSpec artifacts) {

  /** How long an attempt may wait for a dispatcher to start it, unless the job says otherwise. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(10);

  /**
   * {@code env: {NAME: {secretRef: {name: ..., key: ...}}}}: the value is resolved by the runtime,
   * never carried in events.
   */
  public record SecretRef(String name, String key) {}

  public JobSpec {
    command = List.copyOf(command);
    env = Ordered.copy(env);
    secretEnv = Ordered.copy(secretEnv);
    startTimeout = startTimeout == null ? DEFAULT_START_TIMEOUT : startTimeout;
    outputs = List.copyOf(outputs);
    dependsOn = List.copyOf(dependsOn);
    artifacts = artifacts == null ? ArtifactSpec.NONE : artifacts;
  }

  public boolean fansOut() {
    return forEach != null;
  }

  public boolean waits() {
    return waitFor != null;
  }

  /** What Baton does for this step itself, if it runs no process: null for a process. */
  public boolean acts() {
    return action != null;
  }

  /** The job runs a child run of another template. */
  public boolean runsTemplate() {
    return run != null;
  }
}
