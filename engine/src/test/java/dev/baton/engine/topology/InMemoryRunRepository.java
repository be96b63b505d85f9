package dev.baton.engine.topology;

import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.AppliedEvent;
import dev.baton.engine.state.FollowUp;
import dev.baton.engine.state.RunRepository;
import dev.baton.engine.state.SaveRequest;
import dev.baton.engine.state.StoredRun;
import dev.baton.events.TimerFired;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run repository in memory with the same contract as Redis's: CAS on version, applied ids, and
 * timers written as the saves' follow-ups, fenced by the partition's epoch. For topology tests.
 */
final class InMemoryRunRepository implements RunRepository {
  final Map<String, RunState> states = new HashMap<>();
  final Map<String, Long> versions = new HashMap<>();
  final Map<String, AppliedEvent> applied = new HashMap<>();
  final Map<String, Map<String, ItemState>> items = new HashMap<>();
  final Map<String, TimerFired> timers = new LinkedHashMap<>();

  /** When positive, that many saves fail as if another writer had applied first. */
  int conflictsToSimulate;

  int saves;

  @Override
  public synchronized StoredRun load(String runId, String eventId) {
    return new StoredRun(
        states.get(runId), versions.getOrDefault(runId, 0L), applied.get(runId + "|" + eventId));
  }

  @Override
  public synchronized Map<String, ItemState> loadItems(String runId, Needs.ItemQuery query) {
    Map<String, ItemState> out = new LinkedHashMap<>();
    items
        .getOrDefault(runId, Map.of())
        .forEach(
            (k, v) -> {
              if (query.allOf().contains(v.job())
                  || query
                      .indexes()
                      .getOrDefault(v.job(), java.util.Set.of())
                      .contains(v.index())) {
                out.put(k, v);
              }
            });
    return out;
  }

  @Override
  public synchronized dev.baton.engine.state.SaveResult save(SaveRequest r) {
    if (r.epoch() != 0 && epochs.getOrDefault(r.partition(), 0L) != r.epoch()) {
      throw new dev.baton.engine.state.FencedException("fenced");
    }
    if (conflictsToSimulate > 0) {
      conflictsToSimulate--;
      versions.merge(r.runId(), 1L, Long::sum);
      return dev.baton.engine.state.SaveResult.CONFLICT;
    }
    if (versions.getOrDefault(r.runId(), 0L) != r.expectedVersion()) {
      return dev.baton.engine.state.SaveResult.CONFLICT;
    }
    if (applied.containsKey(r.runId() + "|" + r.eventId())) {
      return dev.baton.engine.state.SaveResult.ALREADY_APPLIED;
    }
    saves++;
    versions.put(r.runId(), r.expectedVersion() + 1);
    states.put(r.runId(), r.state().withoutItems());
    applied.put(r.runId() + "|" + r.eventId(), r.applied());
    items.computeIfAbsent(r.runId(), k -> new HashMap<>()).putAll(r.changedItems());
    return dev.baton.engine.state.SaveResult.SAVED;
  }

  /** Every follow-up written, in order. */
  final List<FollowUp> followedUp = new ArrayList<>();

  @Override
  public synchronized void followUp(List<FollowUp> followUps) {
    for (FollowUp f : followUps) {
      if (f.epoch() != 0 && epochs.getOrDefault(f.partition(), 0L) > f.epoch()) {
        throw new dev.baton.engine.state.FencedException("fenced follow-up");
      }
      followedUp.add(f);
      f.timers()
          .forEach(
              json -> {
                TimerFired t =
                    dev.baton.serde.EventCodec.of(TimerFired.class)
                        .decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                timers.put(t.getEventId(), t);
              });
      f.cancelledTimers().forEach(timers::remove);
    }
  }

  final Map<Integer, Long> epochs = new HashMap<>();

  @Override
  public synchronized long claimPartition(int partition) {
    return epochs.merge(partition, 1L, Long::sum);
  }

  @Override
  public synchronized List<TimerFired> leaseDueTimers(
      int partition, Instant now, int max, Duration lease) {
    List<TimerFired> due = new ArrayList<>();
    timers.values().stream().filter(t -> !t.getDueAt().isAfter(now)).limit(max).forEach(due::add);
    return due;
  }

  @Override
  public List<String> leaseAdmissions(Instant now, Duration lease) {
    return List.of();
  }

  @Override
  public void admitted(String template, String runId) {}

  final Map<String, Instant> marks = new HashMap<>();

  @Override
  public synchronized Instant scheduleMark(String template) {
    return marks.get(template);
  }

  @Override
  public synchronized void advanceScheduleMark(String template, Instant tick) {
    marks.merge(template, tick, (a, b) -> a.isAfter(b) ? a : b);
  }

  @Override
  public synchronized List<String> recentRuns(int limit) {
    return states.values().stream()
        .sorted(java.util.Comparator.comparing(RunState::createdAt).reversed())
        .map(RunState::runId)
        .limit(limit)
        .toList();
  }

  @Override
  public synchronized Optional<RunState> find(String runId) {
    return Optional.ofNullable(states.get(runId));
  }

  @Override
  public void close() {}
}
