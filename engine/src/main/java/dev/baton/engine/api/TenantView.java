package dev.baton.engine.api;

import dev.baton.engine.state.JobSlots;
import dev.baton.engine.state.TenantRuns;
import dev.baton.engine.tenants.Tenancy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET /api/tenants} and {@code baton tenants}: the job slots ({@code capacity}, 0 when
 * tenants do not share slots) and per tenant: its top-level runs running and queued and its run
 * quota ({@code maxRuns}); its jobs holding a slot and queued for one, weight and job limit; its
 * share of the slots in use now, and over the last minute its share of the slot time used and the
 * mean number of slots it held.
 */
public final class TenantView {
  private TenantView() {}

  /**
   * {@code slots} null: the slots are not read (tenants do not share them); {@code runs} null: the
   * store counts no runs.
   */
  public static Map<String, Object> of(Tenancy tenancy, JobSlots slots, TenantRuns runs, long now) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("capacity", tenancy.jobCapacity());
    JobSlots.Usage usage =
        slots == null ? new JobSlots.Usage(0, Map.of(), Map.of()) : slots.usage();
    Map<String, Double> held = slots == null ? Map.of() : slots.heldLastMinute(now);
    TenantRuns.Usage runUsage =
        runs == null ? new TenantRuns.Usage(Map.of(), Map.of()) : runs.usage();
    out.put("running", usage.running());
    if (tenancy.lastError() != null) {
      out.put("tenantsFileError", tenancy.lastError());
    }
    Map<String, JobSlots.Share> shares = tenancy.shares();
    TreeSet<String> names = new TreeSet<>(shares.keySet());
    names.addAll(usage.runningByTenant().keySet());
    names.addAll(usage.queued().keySet());
    names.addAll(held.keySet());
    names.addAll(runUsage.running().keySet());
    names.addAll(runUsage.queued().keySet());
    double heldInAll = held.values().stream().mapToDouble(Double::doubleValue).sum();
    List<Map<String, Object>> tenants = new ArrayList<>();
    for (String name : names) {
      JobSlots.Share share = shares.getOrDefault(name, JobSlots.Share.DEFAULT);
      int running = usage.runningByTenant().getOrDefault(name, 0);
      double heldByTenant = held.getOrDefault(name, 0.0);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("tenant", name);
      row.put("runsRunning", runUsage.running().getOrDefault(name, 0));
      row.put("runsQueued", runUsage.queued().getOrDefault(name, 0));
      row.put("maxRuns", share.maxRuns());
      row.put("running", running);
      row.put("queued", usage.queued().getOrDefault(name, 0));
      row.put("weight", share.weight());
      row.put("maxJobs", share.maxJobs());
      row.put("share", usage.running() == 0 ? 0.0 : (double) running / usage.running());
      row.put("shareLastMinute", heldInAll == 0 ? 0.0 : heldByTenant / heldInAll);
      row.put("slotsLastMinute", Math.round(heldByTenant * 100) / 100.0);
      tenants.add(row);
    }
    out.put("tenants", tenants);
    return out;
  }
}
