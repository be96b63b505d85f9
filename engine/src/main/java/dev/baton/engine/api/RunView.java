package dev.baton.engine.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.engine.decide.Children;
import dev.baton.engine.decide.ItemState;
import dev.baton.engine.decide.JobState;
import dev.baton.engine.decide.Needs;
import dev.baton.engine.decide.RunState;
import dev.baton.engine.state.RunStore;
import dev.baton.engine.state.StateJson;
import dev.baton.template.JobSpec;
import dev.baton.template.Template;
import dev.baton.tracing.TraceIds;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/runs/<id>}: the run as stored, and its child runs: for each job that runs a
 * template, the child of its current attempt (of each started instance, at most {@link
 * #MAX_CHILDREN} per job), with the child's status and how many of its jobs have ended. A child
 * names its parent in {@code parent}. {@code traceId}: the run's trace (see docs/operations.md,
 * Tracing).
 */
final class RunView {
  /** Most children listed per job (a fan-out may start thousands). */
  static final int MAX_CHILDREN = 100;

  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  private RunView() {}

  /** A child run: its id, the job (and instance) and attempt that started it, and its progress. */
  record Child(
      String job,
      Integer item,
      int attempt,
      String runId,
      String status,
      int jobsEnded,
      int jobs) {}

  /**
   * {@code template}: the latest version of the run's template (null when none), which says which
   * jobs run templates.
   */
  static Map<String, Object> of(RunState run, Template template, RunStore runs) throws IOException {
    Map<String, Object> view =
        JSON.readValue(StateJson.write(run), new TypeReference<LinkedHashMap<String, Object>>() {});
    // The run's trace in a tracing backend, when the engine sends spans.
    view.put("traceId", TraceIds.trace(run.runId()));
    List<Child> children = new ArrayList<>();
    for (JobState job : run.jobs().values()) {
      boolean runsTemplate =
          template != null && template.job(job.name()).map(JobSpec::runsTemplate).orElse(false);
      if (job.attempt() == 0 && !job.fansOut() || !runsTemplate) {
        continue;
      }
      if (!job.fansOut()) {
        children.add(child(run.runId(), job.name(), null, job.attempt()));
        continue;
      }
      Map<String, ItemState> items =
          runs.loadItems(run.runId(), new Needs.ItemQuery(Map.of(), Set.of(job.name())));
      items.values().stream()
          .filter(i -> i.attempt() > 0)
          .sorted(Comparator.comparingInt(ItemState::index))
          .limit(MAX_CHILDREN)
          .forEach(i -> children.add(child(run.runId(), job.name(), i.index(), i.attempt())));
    }
    if (!children.isEmpty()) {
      List<RunState> found = runs.findAll(children.stream().map(Child::runId).toList());
      Map<String, RunState> byId = new LinkedHashMap<>();
      found.forEach(r -> byId.put(r.runId(), r));
      view.put("children", children.stream().map(c -> progress(c, byId.get(c.runId()))).toList());
    }
    return view;
  }

  private static Child child(String runId, String job, Integer item, int attempt) {
    return new Child(job, item, attempt, Children.runId(runId, job, item, attempt), null, 0, 0);
  }

  private static Child progress(Child c, RunState child) {
    if (child == null) {
      return new Child(c.job(), c.item(), c.attempt(), c.runId(), "STARTING", 0, 0);
    }
    int ended = (int) child.jobs().values().stream().filter(j -> j.status().isFinal()).count();
    return new Child(
        c.job(),
        c.item(),
        c.attempt(),
        c.runId(),
        child.status().name(),
        ended,
        child.jobs().size());
  }
}
