package dev.baton.engine.topology;

/**
 * Told which partitions the run processor's tasks in this engine own (the timer publisher acts for
 * those).
 */
public interface OwnedPartitions {
  OwnedPartitions NONE =
      new OwnedPartitions() {
        @Override
        public void own(int partition) {}

        @Override
        public void disown(int partition) {}
      };

  void own(int partition);

  void disown(int partition);
}
