package dev.baton.engine.template;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A parsed, validated workflow template. Immutable; a run is pinned to one (name, version). */
public record Template(
    String name, int version, String description, Map<String, ParamSpec> params, List<JobSpec> jobs) {

  public Template {
    params = Map.copyOf(params);
    jobs = List.copyOf(jobs);
  }

  public Optional<JobSpec> job(String jobName) {
    return jobs.stream().filter(j -> j.name().equals(jobName)).findFirst();
  }

  /** The key of this version in the template store. */
  public String storeKey() {
    return storeKey(name, version);
  }

  public static String storeKey(String name, int version) {
    return name + "@" + version;
  }
}
