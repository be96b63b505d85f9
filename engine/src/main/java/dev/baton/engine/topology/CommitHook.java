package dev.baton.engine.topology;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The hook that lets the run processor finish its batch before its task commits. It holds no data:
 * Kafka Streams flushes the caches of a task's stores ({@link CachedStateStore#flushCache}) in the
 * task's prepare-commit step, before it flushes the producer and commits the offsets, or the
 * transaction (Kafka Streams 4.3, {@code StreamTask.flush}); the processor's action runs there, so
 * no offset is committed for a record whose outputs are not sent. A failed action fails the commit:
 * the records are processed again.
 */
final class CommitHook implements StateStore, CachedStateStore<Object, Object> {
  static final String NAME = "baton-commit-hook";

  private Runnable flush = () -> {};
  private Runnable discard = () -> {};
  private boolean open;

  /** What to run before each commit, and what to drop when the task's work is thrown away. */
  void onCommit(Runnable flush, Runnable discard) {
    this.flush = flush;
    this.discard = discard;
  }

  @Override
  public void flushCache() {
    flush.run();
  }

  @Override
  public void clearCache() {
    discard.run();
  }

  @Override
  public boolean setFlushListener(
      CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    context.register(root, (key, value) -> {});
    open = true;
  }

  @Override
  public void close() {
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  static StoreBuilder<CommitHook> builder() {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<CommitHook> withCachingEnabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitHook> withCachingDisabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitHook> withLoggingEnabled(Map<String, String> config) {
        return this;
      }

      @Override
      public StoreBuilder<CommitHook> withLoggingDisabled() {
        return this;
      }

      @Override
      public CommitHook build() {
        return new CommitHook();
      }

      @Override
      public Map<String, String> logConfig() {
        return Map.of();
      }

      @Override
      public boolean loggingEnabled() {
        return false;
      }

      @Override
      public String name() {
        return NAME;
      }
    };
  }
}
