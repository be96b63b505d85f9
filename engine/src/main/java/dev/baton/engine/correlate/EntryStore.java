package dev.baton.engine.correlate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A sorted store of string entries: a Kafka Streams store ({@link #of}), or a map for tests ({@link
 * #inMemory}). What {@link Correlations} keeps is one small entry per waiting attempt and per kept
 * event, so no single write grows with what a key holds.
 */
public interface EntryStore {
  String get(String key);

  void put(String key, String value);

  void delete(String key);

  /** The entries whose keys start with {@code prefix}, in key order. */
  List<Map.Entry<String, String>> withPrefix(String prefix);

  /** The entries whose keys are from {@code from} to {@code to}, both included, in key order. */
  List<Map.Entry<String, String>> range(String from, String to);

  /** A Kafka Streams key-value store's entries. */
  static EntryStore of(KeyValueStore<String, String> store) {
    return new EntryStore() {
      @Override
      public String get(String key) {
        return store.get(key);
      }

      @Override
      public void put(String key, String value) {
        store.put(key, value);
      }

      @Override
      public void delete(String key) {
        store.delete(key);
      }

      @Override
      public List<Map.Entry<String, String>> withPrefix(String prefix) {
        try (KeyValueIterator<String, String> it =
            store.prefixScan(prefix, new StringSerializer())) {
          return drain(it);
        }
      }

      @Override
      public List<Map.Entry<String, String>> range(String from, String to) {
        try (KeyValueIterator<String, String> it = store.range(from, to)) {
          return drain(it);
        }
      }
    };
  }

  private static List<Map.Entry<String, String>> drain(KeyValueIterator<String, String> it) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    while (it.hasNext()) {
      KeyValue<String, String> kv = it.next();
      out.add(Map.entry(kv.key, kv.value));
    }
    return out;
  }

  /** Entries in a sorted map (tests, and reading a store's snapshot). */
  static EntryStore inMemory() {
    NavigableMap<String, String> map = new TreeMap<>();
    return new EntryStore() {
      @Override
      public String get(String key) {
        return map.get(key);
      }

      @Override
      public void put(String key, String value) {
        map.put(key, value);
      }

      @Override
      public void delete(String key) {
        map.remove(key);
      }

      @Override
      public List<Map.Entry<String, String>> withPrefix(String prefix) {
        return List.copyOf(map.subMap(prefix, true, prefix + Character.MAX_VALUE, true).entrySet());
      }

      @Override
      public List<Map.Entry<String, String>> range(String from, String to) {
        return List.copyOf(map.subMap(from, true, to, true).entrySet());
      }
    };
  }
}
