package dev.baton.engine.api;

import dev.baton.engine.state.JobSlots;
import dev.baton.engine.tenants.Tenancy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET /api/tenants}: the job slots ({@code capacity}, 0 when tenants do not share slots),
 * and per tenant its jobs running and queued now, its weight and job limit, and its share of the
 * slots in use.
 */
public final class TenantView {
  private TenantView() {}

  public static Map<String, Object> of(Tenancy tenancy, JobSlots slots) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("capacity", tenancy.jobCapacity());
    JobSlots.Usage usage =
        slots == null || !tenancy.sharesSlots()
            ? new JobSlots.Usage(0, Map.of(), Map.of())
            : slots.usage();
    out.put("running", usage.running());
    if (tenancy.lastError() != null) {
      out.put("tenantsFileError", tenancy.lastError());
    }
    Map<String, JobSlots.Share> shares = tenancy.shares();
    TreeSet<String> names = new TreeSet<>(shares.keySet());
    names.addAll(usage.runningByTenant().keySet());
    names.addAll(usage.queued().keySet());
    List<Map<String, Object>> tenants = new ArrayList<>();
    for (String name : names) {
      JobSlots.Share share = shares.getOrDefault(name, JobSlots.Share.DEFAULT);
      int running = usage.runningByTenant().getOrDefault(name, 0);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("tenant", name);
      row.put("running", running);
      row.put("queued", usage.queued().getOrDefault(name, 0));
      row.put("weight", share.weight());
      row.put("maxJobs", share.maxJobs());
      row.put("share", usage.running() == 0 ? 0.0 : (double) running / usage.running());
      tenants.add(row);
    }
    out.put("tenants", tenants);
    return out;
  }
}
