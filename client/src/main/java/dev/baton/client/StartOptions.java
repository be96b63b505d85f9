package dev.baton.client;

/**
 * How a run starts, beyond its template and params: its id ({@link #runId}), or an idempotency key
 * ({@link #idempotencyKey}: every start with the same key starts one run, whose id the key
 * decides), its tenant and priority. Neither id nor key: the client picks a new id.
 */
public record StartOptions(String runId, String idempotencyKey, String tenant, Integer priority) {
  /** No id, key, tenant or priority. */
  public static StartOptions defaults() {
    return new StartOptions(null, null, null, null);
  }

  /** A run with this id; a second start with the same id starts nothing. */
  public static StartOptions runId(String runId) {
    return defaults().withRunId(runId);
  }

  /** The run this key names: started by the first start with it, the same run for every other. */
  public static StartOptions idempotencyKey(String key) {
    return defaults().withIdempotencyKey(key);
  }

  public StartOptions withRunId(String id) {
    return new StartOptions(id, idempotencyKey, tenant, priority);
  }

  public StartOptions withIdempotencyKey(String key) {
    return new StartOptions(runId, key, tenant, priority);
  }

  public StartOptions withTenant(String name) {
    return new StartOptions(runId, idempotencyKey, name, priority);
  }

  public StartOptions withPriority(int value) {
    return new StartOptions(runId, idempotencyKey, tenant, value);
  }
}
