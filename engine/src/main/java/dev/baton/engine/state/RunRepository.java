package dev.baton.engine.state;

/** The engine's store: its runs ({@link RunStore}) and what its partitions share. */
public interface RunRepository extends RunStore, PartitionServices, AutoCloseable {
  @Override
  void close();
}
