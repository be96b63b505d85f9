package dev.baton.engine.topology;

import dev.baton.events.WorkflowTrigger;

/**
 * A trigger's bytes after keying by run id; {@code here}: it is on its run's partition already and
 * needs no repartition; {@code trigger}: what the bytes decoded to (null when they could not be
 * read), so a trigger that stays on this task is decoded once.
 */
record KeyedTrigger(byte[] value, boolean here, WorkflowTrigger trigger) {}
