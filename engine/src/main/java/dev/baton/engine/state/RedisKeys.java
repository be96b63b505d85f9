package dev.baton.engine.state;

/**
 * The names of Baton's Redis keys (design §5). Every key carries a hash tag, and no script touches
 * keys of two tags, so Baton runs on Redis Cluster as on one Redis:
 *
 * <ul>
 *   <li>a run's keys share {@code {runId}};
 *   <li>a partition's keys (its epoch, timers and run index) share {@code {keyspace/partition}};
 *   <li>a template's admission queue shares {@code {keyspace/template}};
 *   <li>the list of partitions and of limited templates share {@code {keyspace}}: small, written
 *       when a partition is claimed or a limited template is first queued.
 * </ul>
 *
 * The keyspace is the engine's application id, so deployments sharing a Redis do not see each
 * other's timers, queues and index.
 */
record RedisKeys(String keyspace) {
  static String run(String runId) {
    return "baton:run:{" + runId + "}";
  }

  private String partition(int partition) {
    return "baton:partition:{" + keyspace + "/" + partition + "}:";
  }

  /** Sorted set of timer ids by due time; {@link #timerData} holds each timer (id → JSON). */
  String timers(int partition) {
    return partition(partition) + "timers";
  }

  String timerData(int partition) {
    return partition(partition) + "timers:data";
  }

  /** The claim counter of a partition: each task that takes the partition gets a higher epoch. */
  String epoch(int partition) {
    return partition(partition) + "epoch";
  }

  /**
   * The newest runs of a partition (at most 100,000 each), by creation time: the API lists runs
   * from here, never by scanning keys.
   */
  String runIndex(int partition) {
    return partition(partition) + "runs";
  }

  /** The partitions claimed so far, to find their run indexes. */
  String partitions() {
    return "baton:partitions:{" + keyspace + "}";
  }

  String limit(String template, String part) {
    return "baton:limit:{" + keyspace + "/" + template + "}:" + part;
  }

  /** Templates with a queue (a set), and {@code ...:max}: template → maxConcurrentRuns. */
  String limits() {
    return "baton:limits:{" + keyspace + "}";
  }

  /**
   * Written after a commit's saves when replicas must acknowledge them ({@code WAIT}); on a cluster
   * one per shard, {@code slotTag} choosing the shard.
   */
  String replicaMark(String slotTag) {
    return "baton:replica-mark:{" + keyspace + "/" + slotTag + "}";
  }

  /** Keys of Baton before partitions had their own hash tag; moved when a partition is claimed. */
  String legacyTimers(int partition) {
    return "baton:timers:{" + keyspace + "}:" + partition;
  }

  String legacyEpoch(int partition) {
    return "baton:epoch:{" + keyspace + "}:" + partition;
  }

  String legacyRunIndex() {
    return "baton:runs:{" + keyspace + "}";
  }
}
