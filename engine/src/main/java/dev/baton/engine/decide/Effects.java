package dev.baton.engine.decide;

import dev.baton.events.JobCompletion;
import dev.baton.events.JobDispatch;
import dev.baton.events.RunEvent;
import dev.baton.events.TimerFired;
import dev.baton.events.WorkflowTrigger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a decision's commands ask of the shell around {@code decide}, gathered in one pass: each
 * command says what it adds ({@link EngineCommand#addTo}), so a new kind of command cannot be
 * dropped unread by the code that publishes records or the code that saves state.
 */
public final class Effects {
  /** A change of the run's place in its template's admission queue. */
  public record Admission(boolean enqueue, String template, int maxConcurrentRuns) {}

  /**
   * A wait step's attempt starts ({@code start}) or stops waiting for events on {@code topic} with
   * correlation key {@code key}.
   */
  public record Await(
      boolean start,
      String topic,
      String key,
      String runId,
      String job,
      int attempt,
      String rule,
      Instant until) {}

  private final List<Await> awaits = new ArrayList<>();
  private final List<JobDispatch> dispatches = new ArrayList<>();
  private final List<RunEvent> events = new ArrayList<>();
  private final List<String> rejections = new ArrayList<>();
  private final List<String> refusedTriggers = new ArrayList<>();
  private final List<TimerFired> timersToSet = new ArrayList<>();
  private final List<String> timersToCancel = new ArrayList<>();
  private Admission admission;
  private EngineCommand.TenantRun tenantRun;
  private final List<EngineCommand.LookupCache> lookups = new ArrayList<>();
  private final List<EngineCommand.StoreResult> stores = new ArrayList<>();
  private final List<WorkflowTrigger> children = new ArrayList<>();
  private final List<JobCompletion> reports = new ArrayList<>();
  private final List<EngineCommand.CancelRun> cancels = new ArrayList<>();
  private final List<EngineCommand.Produce> produced = new ArrayList<>();

  private Effects() {}

  public static Effects of(List<EngineCommand> commands) {
    Effects effects = new Effects();
    commands.forEach(c -> c.addTo(effects));
    return effects;
  }

  void dispatch(JobDispatch d) {
    dispatches.add(d);
  }

  void produce(EngineCommand.Produce p) {
    produced.add(p);
  }

  /** Records for topics of the template's own: emitted events and service requests. */
  public List<EngineCommand.Produce> produced() {
    return Collections.unmodifiableList(produced);
  }

  void await(Await a) {
    awaits.add(a);
  }

  void event(RunEvent e) {
    events.add(e);
  }

  void reject(String reason) {
    rejections.add(reason);
  }

  void refuseTrigger(String reason) {
    refusedTriggers.add(reason);
  }

  void setTimer(TimerFired t) {
    timersToSet.add(t);
  }

  void cancelTimer(String id) {
    timersToCancel.add(id);
  }

  void lookup(EngineCommand.LookupCache l) {
    lookups.add(l);
  }

  void store(EngineCommand.StoreResult r) {
    stores.add(r);
  }

  void startChild(WorkflowTrigger t) {
    children.add(t);
  }

  void report(JobCompletion c) {
    reports.add(c);
  }

  void cancelRun(EngineCommand.CancelRun c) {
    cancels.add(c);
  }

  public List<EngineCommand.LookupCache> lookups() {
    return Collections.unmodifiableList(lookups);
  }

  public List<EngineCommand.StoreResult> stores() {
    return Collections.unmodifiableList(stores);
  }

  public List<WorkflowTrigger> children() {
    return Collections.unmodifiableList(children);
  }

  public List<JobCompletion> reports() {
    return Collections.unmodifiableList(reports);
  }

  public List<EngineCommand.CancelRun> cancels() {
    return Collections.unmodifiableList(cancels);
  }

  /** The last admission change asked for wins. */
  void admission(Admission a) {
    admission = a;
  }

  public List<JobDispatch> dispatches() {
    return Collections.unmodifiableList(dispatches);
  }

  public List<Await> awaits() {
    return Collections.unmodifiableList(awaits);
  }

  public List<RunEvent> events() {
    return Collections.unmodifiableList(events);
  }

  public List<String> rejections() {
    return Collections.unmodifiableList(rejections);
  }

  /** Triggers for runs that exist: dead-lettered, and nothing else. */
  public List<String> refusedTriggers() {
    return Collections.unmodifiableList(refusedTriggers);
  }

  public List<TimerFired> timersToSet() {
    return Collections.unmodifiableList(timersToSet);
  }

  public List<String> timersToCancel() {
    return Collections.unmodifiableList(timersToCancel);
  }

  /** The admission change asked for, or null. */
  public Admission admission() {
    return admission;
  }

  /** The last change of the run's place among its tenant's runs wins. */
  void tenantRun(EngineCommand.TenantRun t) {
    tenantRun = t;
  }

  /** The change of the run's place among its tenant's runs, or null. */
  public EngineCommand.TenantRun tenantRun() {
    return tenantRun;
  }
}
