package dev.baton.engine.apply;

import dev.baton.engine.decide.RunQuotas;
import dev.baton.engine.state.RunRepository;

/**
 * What every task's apply shares: the run repository, the builder of output records, the counters,
 * the gate of job slots shared between tenants (null when they are not shared), each tenant's run
 * quotas, whether an ended run's summary goes to the history topic, and where spans go.
 */
public record ApplyServices(
    RunRepository runs,
    Outbounds outbounds,
    EngineCounters counters,
    SlotGate slots,
    RunQuotas quotas,
    boolean runHistory,
    RunTracing tracing) {}
