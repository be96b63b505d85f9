package dev.baton.engine.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results of cached jobs. Each result is one key, {@code baton:result:{<keyspace>/<template>/<job>/
 * <key hash>}} (its own slot: the results of one template spread over a cluster's shards), set only
 * if absent and expiring with its ttl; each template has an index, {@code
 * baton:results:{<keyspace>/ <template>}}, of its results by expiry, bounded to {@link
 * #MAX_RESULTS_PER_TEMPLATE} (the nearest to expire are evicted first), which {@code baton cache
 * clear} reads. Outputs larger than {@link #MAX_OUTPUT_BYTES} are not kept. So one template's cache
 * holds at most 10,000 × 64 KB.
 */
public final class ResultCache {
  private static final Logger LOG = LoggerFactory.getLogger(ResultCache.class);
  private static final String KEEP = LuaScripts.read("keep-result");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Most results one template keeps. */
  public static final int MAX_RESULTS_PER_TEMPLATE = 10_000;

  /** Most bytes of one result's outputs (names and values, as JSON). */
  public static final int MAX_OUTPUT_BYTES = 64 * 1024;

  /** A kept result: its outputs, the attempt that produced them, and when. */
  public record Entry(Map<String, String> outputs, String attemptId, long storedAt) {
    /** How the run's events name it. */
    public String describe() {
      return attemptId + " (" + Instant.ofEpochMilli(storedAt) + ")";
    }
  }

  private final RedissonClient redisson;
  private final String keyspace;

  ResultCache(RedissonClient redisson, String keyspace) {
    this.redisson = redisson;
    this.keyspace = keyspace;
  }

  private String resultKey(String template, String job, String key) {
    return "baton:result:{" + keyspace + "/" + template + "/" + member(job, key) + "}";
  }

  private String resultKey(String template, String member) {
    return "baton:result:{" + keyspace + "/" + template + "/" + member + "}";
  }

  private String index(String template) {
    return "baton:results:{" + keyspace + "/" + template + "}";
  }

  private static String member(String job, String key) {
    return job + "/" + hash(key);
  }

  static String hash(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The kept result for this template, job and key, if one is within its ttl. */
  public Optional<Entry> find(String template, String job, String key) {
    String json =
        redisson.<String>getBucket(resultKey(template, job, key), StringCodec.INSTANCE).get();
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(json, Entry.class));
    } catch (IOException e) {
      LOG.warn(
          "unreadable cached result of {}/{}: {}; treated as none", template, job, e.toString());
      return Optional.empty();
    }
  }

  /**
   * The outputs of every result kept now, of every template of this keyspace: through each
   * template's index (found by a scan of index keys, not of results), for the artifact sweep.
   */
  public List<Map<String, String>> keptOutputs() {
    List<Map<String, String>> out = new ArrayList<>();
    String prefix = "baton:results:{" + keyspace + "/";
    for (String index : redisson.getKeys().getKeysByPattern(prefix + "*")) {
      String template = index.substring(prefix.length(), index.length() - 1);
      for (String member :
          redisson.<String>getScoredSortedSet(index, StringCodec.INSTANCE).readAll()) {
        String json =
            redisson.<String>getBucket(resultKey(template, member), StringCodec.INSTANCE).get();
        if (json == null) {
          continue; // expired
        }
        try {
          out.add(JSON.readValue(json, Entry.class).outputs());
        } catch (IOException e) {
          LOG.warn("unreadable cached result {}/{}: {}", template, member, e.toString());
        }
      }
    }
    return out;
  }

  /** Keeps each result unless one is kept for its key already; trims each template's index. */
  void keep(List<CachedResult> results, long now) {
    List<CachedResult> kept = new ArrayList<>();
    RBatch batch = redisson.createBatch(BatchOptions.defaults());
    List<RFuture<List<Object>>> evictions = new ArrayList<>();
    for (CachedResult r : results) {
      String json;
      try {
        json = JSON.writeValueAsString(new Entry(r.outputs(), r.attemptId(), now));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (json.length() > MAX_OUTPUT_BYTES) {
        LOG.info(
            "outputs of {} are {} bytes; results over {} bytes are not cached",
            r.attemptId(),
            json.length(),
            MAX_OUTPUT_BYTES);
        continue;
      }
      kept.add(r);
      var unused = // the batch's execute() reports a failure
          batch
              .<String>getBucket(resultKey(r.template(), r.job(), r.key()), StringCodec.INSTANCE)
              .setIfAbsentAsync(json, Duration.ofMillis(r.ttlMillis()));
      evictions.add(
          batch
              .getScript(StringCodec.INSTANCE)
              .evalAsync(
                  RScript.Mode.READ_WRITE,
                  KEEP,
                  RScript.ReturnType.LIST,
                  List.of(index(r.template())),
                  Long.toString(now),
                  member(r.job(), r.key()),
                  Long.toString(now + r.ttlMillis()),
                  Integer.toString(MAX_RESULTS_PER_TEMPLATE)));
    }
    if (kept.isEmpty()) {
      return;
    }
    LuaScripts.execute(redisson, batch);
    for (int i = 0; i < kept.size(); i++) {
      List<Object> evicted = evictions.get(i).toCompletableFuture().join();
      for (Object member : evicted) {
        redisson.getBucket(resultKey(kept.get(i).template(), member.toString())).delete();
      }
    }
  }

  /**
   * Forgets the kept results of {@code template}: all, those of {@code job} (when not null), or the
   * one for {@code job} and {@code key}. Returns how many were kept.
   */
  public int clear(String template, String job, String key) {
    var index = redisson.<String>getScoredSortedSet(index(template), StringCodec.INSTANCE);
    List<String> members = new ArrayList<>();
    for (String member : index.readAll()) {
      boolean match =
          job == null
              || (key == null ? member.startsWith(job + "/") : member.equals(member(job, key)));
      if (match) {
        members.add(member);
      }
    }
    int cleared = 0;
    for (String member : members) {
      if (redisson.getBucket(resultKey(template, member)).delete()) {
        cleared++;
      }
    }
    if (!members.isEmpty()) {
      index.removeAll(members);
    }
    return cleared;
  }
}
