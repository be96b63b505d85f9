package dev.baton.engine.apply;

import dev.baton.engine.decide.Decision;
import dev.baton.engine.decide.Effects;
import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.CachedResult;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.state.SaveRequest;
import dev.baton.events.RunCommandType;
import dev.baton.events.TimerFired;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The save one decision needs: the run's new state, the instances it changed, the timers it sets
 * and cancels, its admission change, and the record it applied with its outputs, all written in one
 * atomic step under this partition's epoch.
 */
public final class SaveRequests {
  private SaveRequests() {}

  public static SaveRequest of(
      RunApplier.Input in,
      int partition,
      long epoch,
      long version,
      RunState before,
      Decision d,
      List<OutboundRecord> out) {
    Map<String, ItemState> changedItems = new LinkedHashMap<>();
    Map<String, ItemState> old = before == null ? Map.of() : before.items();
    d.state()
        .items()
        .forEach(
            (key, item) -> {
              if (!Objects.equals(old.get(key), item)) {
                changedItems.put(key, item);
              }
            });
    Effects effects = Effects.of(d.commands());
    List<TimerFired> timersToSet = effects.timersToSet();
    List<String> timersToCancel = new ArrayList<>(effects.timersToCancel());
    if (in.event() instanceof EngineEvent.TimerDue t) {
      timersToCancel.add(t.timer().getEventId()); // applied: the fired timer is done
    }
    SaveRequest.Admission admission = SaveRequest.Admission.NONE;
    if (isAdmit(in.event())) {
      admission =
          new SaveRequest.Admission(SaveRequest.Admission.Op.ADMITTED, d.state().template(), 0);
    }
    if (effects.admission() != null) {
      Effects.Admission a = effects.admission();
      admission =
          new SaveRequest.Admission(
              a.enqueue() ? SaveRequest.Admission.Op.ENQUEUE : SaveRequest.Admission.Op.RELEASE,
              a.template(),
              a.maxConcurrentRuns());
    }
    boolean outputsChanged =
        before == null || !before.outputsByJob().equals(d.state().outputsByJob());
    InputRecord src = in.source();
    return new SaveRequest(
            in.runId(),
            version,
            d.state(),
            outputsChanged,
            changedItems,
            in.eventId(),
            new AppliedEvent(src.topic(), src.partition(), src.offset(), out, null),
            timersToSet,
            timersToCancel,
            partition,
            admission,
            epoch)
        .withResults(
            effects.stores().stream()
                .map(
                    r ->
                        new CachedResult(
                            r.template(),
                            r.job(),
                            r.key(),
                            r.outputs(),
                            r.attemptId(),
                            r.ttl().toMillis()))
                .toList())
        .withTenantRun(effects.tenantRun());
  }

  public static boolean isAdmit(EngineEvent event) {
    return event instanceof EngineEvent.CommandReceived c
        && c.command().getType() == RunCommandType.ADMIT;
  }
}
