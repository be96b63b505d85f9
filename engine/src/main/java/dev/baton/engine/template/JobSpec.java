package dev.baton.engine.template;

import java.util.List;
import java.util.Map;

/**
 * One job of a template: an argv (never run through a shell unless argv itself is {@code sh -c}),
 * the image the Kubernetes runtime uses, environment, and the output keys it promises to write.
 */
public record JobSpec(
    String name, List<String> command, String image, Map<String, String> env, List<String> outputs) {

  public JobSpec {
    command = List.copyOf(command);
    env = Map.copyOf(env);
    outputs = List.copyOf(outputs);
  }
}
