package dev.baton.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where artifacts live: files written once under a key, read back whole, deleted by key prefix.
 * Transfers stream between a file and the store, so a file of any size moves with a bounded heap.
 */
public interface ArtifactStore extends AutoCloseable {
  /** Uploads {@code file} as {@code key}. */
  void put(String key, Path file) throws IOException;

  /** Downloads {@code key} to {@code file} (replacing it). */
  void get(String key, Path file) throws IOException;

  /** A stream of {@code key}'s bytes, read from the store as it is consumed. */
  InputStream open(String key) throws IOException;

  /**
   * The names directly under {@code prefix} that have keys below them ({@code a/} of {@code a/b}).
   */
  List<String> children(String prefix) throws IOException;

  /** Every key under {@code prefix}, with its size. */
  Map<String, Long> keys(String prefix) throws IOException;

  /** Deletes {@code keys} (a key that is already gone is no error). */
  void delete(Collection<String> keys) throws IOException;

  /**
   * A URL that lets whoever holds it, and nobody else, read ({@code GET}) or write ({@code PUT})
   * {@code key} until {@code validFor} has passed, with no credentials of its own: what a pod gets.
   */
  String presign(String method, String key, Duration validFor);

  /** The URI of {@code key} in this store ({@code s3://bucket/key}). */
  String uri(String key);

  /** The key of {@code uri} if it lies in this store's bucket and prefix; null otherwise. */
  String keyOf(String uri);

  /** Where the store is, for error messages ({@code s3://bucket/prefix at http://host:port}). */
  String address();

  /** The key prefix every artifact of this store starts with (empty or ending in '/'). */
  String prefix();

  @Override
  void close();
}
