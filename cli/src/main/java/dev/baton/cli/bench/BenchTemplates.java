package dev.baton.cli.bench;

/** The templates the benchmark runs: a sequence of no-op steps. */
final class BenchTemplates {
  private BenchTemplates() {}

  /**
   * The benchmark's sequence of {@code jobs} no-op steps: dispatched jobs, or with {@code
   * serviceTopic} service steps whose requests go to it; with {@code waitTopic}, a step after the
   * first waits for an event on it whose {@code runId} is the run's id.
   */
  static String sequence(int jobs, String waitTopic, String serviceTopic) {
    StringBuilder yaml =
        new StringBuilder(
            "name: bench-seq\nversion: 1\ndescription: The benchmark's sequence of no-op steps.\njobs:\n");
    for (int i = 1; i <= jobs; i++) {
      yaml.append("  - name: step-").append(i).append('\n');
      if (serviceTopic == null) {
        yaml.append("    image: busybox:1.36\n    command: [\"true\"]\n");
      } else {
        yaml.append("    service: {topic: ")
            .append(serviceTopic)
            .append(", key: \"${run.id}\", value: {step: \"")
            .append(i)
            .append("\"}}\n    timeout: 5m\n");
      }
      if (i == 1 && waitTopic != null) {
        yaml.append("  - name: await\n    wait:\n      event: {topic: ")
            .append(waitTopic)
            .append(", key: event.runId, match: \"${run.id}\"}\n");
      }
    }
    return yaml.toString();
  }
}
