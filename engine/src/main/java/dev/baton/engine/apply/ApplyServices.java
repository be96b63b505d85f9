package dev.baton.engine.apply;

import dev.baton.engine.decide.ArtifactItems;
import dev.baton.engine.decide.RunQuotas;
import dev.baton.engine.state.RunRepository;
import java.util.function.Function;

/**
 * What every task's apply shares: the run repository, the builder of output records, the counters,
 * the gate of job slots shared between tenants (null when they are not shared), each tenant's run
 * quotas, whether an ended run's summary goes to the history topic, where spans go, and what reads
 * the items of an artifact a {@code forEach} iterates over.
 */
public record ApplyServices(
    RunRepository runs,
    Outbounds outbounds,
    EngineCounters counters,
    SlotGate slots,
    RunQuotas quotas,
    boolean runHistory,
    RunTracing tracing,
    Function<String, ArtifactItems> artifactItems) {}
