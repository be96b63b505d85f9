package dev.baton.engine.topology;

/**
 * A trigger's bytes after keying by run id; {@code here}: it is on its run's partition already and
 * needs no repartition.
 */
record KeyedTrigger(byte[] value, boolean here) {}
