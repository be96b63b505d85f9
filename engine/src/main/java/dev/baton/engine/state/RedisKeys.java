package dev.baton.engine.state;

/**
 * The names of Baton's Redis keys (design §5). A run's keys share the hash tag {@code {runId}};
 * those of an engine deployment share {@code {keyspace}}, its application id, so deployments
 * sharing a Redis do not see each other's timers, queues and index.
 */
record RedisKeys(String keyspace) {
  static String run(String runId) {
    return "baton:run:{" + runId + "}";
  }

  String timers(int partition) {
    return "baton:timers:{" + keyspace + "}:" + partition;
  }

  String limit(String template, String part) {
    return "baton:limit:{" + keyspace + "/" + template + "}:" + part;
  }

  String limits() {
    return "baton:limits:{" + keyspace + "}";
  }

  String epoch(int partition) {
    return "baton:epoch:{" + keyspace + "}:" + partition;
  }

  /** Written after a commit's saves when replicas must acknowledge them ({@code WAIT}). */
  String replicaMark() {
    return "baton:replica-mark:{" + keyspace + "}";
  }

  /**
   * The newest runs (at most 100,000), by creation time: the API lists runs from here, never by
   * scanning keys.
   */
  String runIndex() {
    return "baton:runs:{" + keyspace + "}";
  }
}
