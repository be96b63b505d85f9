package dev.baton.engine.apply;

import dev.baton.engine.decide.EngineEvent;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.state.JobSlots;
import dev.baton.engine.state.OutboundRecord;
import dev.baton.engine.tenants.Tenancy;
import dev.baton.engine.topology.SlotPublisher;
import dev.baton.events.CompletionStatus;
import dev.baton.events.DispatchAction;
import dev.baton.events.JobDispatch;
import dev.baton.serde.Topics;
import dev.baton.serde.Wire;
import java.util.ArrayList;
import java.util.List;

/**
 * With job slots ({@code BATON_JOB_CAPACITY}), a batch's dispatches go out only for attempts that
 * hold a slot; the others wait in their tenant's queue in Redis until {@link SlotPublisher} grants
 * them one. A reported end or a STOP frees the attempt's slot (or its place in the queue), a start
 * report ends its grant's lease. Runs after the batch's saves and follow-ups, before its outputs
 * leave; each step is idempotent, so a re-emitted record gets the same answer.
 */
public final class SlotGate {
  private final JobSlots slots;
  private final Tenancy tenancy;
  private final Topics topics;
  private final Wire wire;

  public SlotGate(JobSlots slots, Tenancy tenancy, Topics topics, Wire wire) {
    this.slots = slots;
    this.tenancy = tenancy;
    this.topics = topics;
    this.wire = wire;
  }

  private record Taken(int input, OutboundRecord record, int request) {}

  /** {@code outputs} without the dispatches that wait for a slot. */
  public List<List<OutboundRecord>> pass(
      List<RunApplier.Input> inputs, List<List<OutboundRecord>> outputs, long now) {
    List<JobSlots.Request> requests = new ArrayList<>();
    List<Taken> taken = new ArrayList<>();
    List<String> started = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      RunApplier.Input in = inputs.get(i);
      if (in.error() == null && in.event() instanceof EngineEvent.JobCompleted c) {
        var r = c.completion();
        String attempt = JobState.attemptId(r.getRunId(), r.getJob(), r.getItem(), r.getAttempt());
        if (r.getStatus() == CompletionStatus.STARTED) {
          started.add(attempt);
        } else {
          requests.add(new JobSlots.Request(false, attempt, "", null, null, 0));
        }
      }
      for (OutboundRecord out : outputs.get(i)) {
        if (!out.topic().equals(topics.dispatch())) {
          continue;
        }
        JobDispatch d = wire.decode(out.value(), JobDispatch.class);
        String tenant = d.getTenant() == null ? "default" : d.getTenant();
        if (d.getAction() == DispatchAction.START) {
          taken.add(new Taken(i, out, requests.size()));
          requests.add(
              new JobSlots.Request(
                  true,
                  d.getAttemptId(),
                  tenant,
                  out.value(),
                  tenancy.share(tenant),
                  d.getPriority() == null ? 0 : d.getPriority()));
        } else {
          requests.add(new JobSlots.Request(false, d.getAttemptId(), tenant, null, null, 0));
        }
      }
    }
    if (!started.isEmpty()) {
      slots.started(started);
    }
    if (requests.isEmpty()) {
      return outputs;
    }
    List<Boolean> held = slots.apply(requests, tenancy.jobCapacity(), now);
    List<List<OutboundRecord>> passed = new ArrayList<>(outputs.size());
    outputs.forEach(o -> passed.add(new ArrayList<>(o)));
    for (Taken t : taken) {
      if (!held.get(t.request())) {
        passed.get(t.input()).remove(t.record());
      }
    }
    return passed;
  }
}
