package dev.baton.engine.api;

import dev.baton.engine.decide.RunState;
import dev.baton.engine.decide.RunStatus;
import dev.baton.engine.state.RunStore;
import dev.baton.settings.DurationText;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which runs a list shows: by template, status, tenant, start time ({@code since}, {@code until})
 * and one parameter's value; null fields match every run. Shared by {@code GET /api/runs} and
 * {@code baton runs}.
 */
public record RunQuery(
    String template,
    RunStatus status,
    String tenant,
    Instant since,
    Instant until,
    String param,
    String paramValue) {

  /** A query that names something it cannot be: the message says what and what it takes. */
  public static final class InvalidQueryException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidQueryException(String message) {
      super(message);
    }
  }

  /**
   * From text as users write it: {@code status} any case; {@code since}/{@code until} an ISO-8601
   * instant or a duration back from {@code now} ({@code 30m}, {@code 2h}, {@code 7d}); {@code
   * param} as {@code name=value}.
   */
  public static RunQuery parse(
      String template,
      String status,
      String tenant,
      String since,
      String until,
      String param,
      Instant now) {
    RunStatus st = null;
    if (status != null && !status.isBlank()) {
      st =
          Arrays.stream(RunStatus.values())
              .filter(s -> s.name().equalsIgnoreCase(status.strip()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidQueryException(
                          "status must be one of "
                              + Arrays.stream(RunStatus.values())
                                  .map(Enum::name)
                                  .collect(Collectors.joining(", "))
                              + ", got '"
                              + status
                              + "'"));
    }
    String name = null;
    String value = null;
    if (param != null && !param.isBlank()) {
      int eq = param.indexOf('=');
      if (eq < 1) {
        throw new InvalidQueryException(
            "param must be name=value (a run whose parameter has that value), got '" + param + "'");
      }
      name = param.substring(0, eq);
      value = param.substring(eq + 1);
    }
    Instant from = instant("since", since, now);
    Instant to = instant("until", until, now);
    if (from != null && to != null && from.isAfter(to)) {
      throw new InvalidQueryException("since (" + from + ") is after until (" + to + ")");
    }
    return new RunQuery(
        blank(template) ? null : template,
        st,
        blank(tenant) ? null : tenant,
        from,
        to,
        name,
        value);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static Instant instant(String field, String text, Instant now) {
    if (blank(text)) {
      return null;
    }
    Duration back = DurationText.parse(text);
    if (back != null) {
      return now.minus(back);
    }
    try {
      return Instant.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new InvalidQueryException(
          field
              + " must be an instant (2026-12-01T00:00:00Z) or a time back from now (30m, 2h, 7d),"
              + " got '"
              + text
              + "'");
    }
  }

  /** Whether the query narrows the list at all (a narrow one looks further back in the index). */
  public boolean narrows() {
    return template != null
        || status != null
        || tenant != null
        || since != null
        || until != null
        || param != null;
  }

  public boolean matches(RunState r) {
    Instant created = r.createdAt();
    return (template == null || template.equals(r.template()))
        && (status == null || status == r.status())
        && (tenant == null || tenant.equals(r.tenantName()))
        && (since == null || (created != null && !created.isBefore(since)))
        && (until == null || (created != null && !created.isAfter(until)))
        && (param == null || paramValue.equals(params(r).get(param)));
  }

  /** How far back in the run index a narrowing query looks. */
  public static final int SEARCHED = 2_000;

  private static final int CHUNK = 500;

  /**
   * The newest {@code limit} runs that match, from the run index: a narrowing query looks through
   * the newest {@value #SEARCHED} runs, a plain list through ten times its limit; 500 runs to a
   * Redis pipeline.
   */
  public List<RunState> newest(RunStore runs, int limit) {
    List<RunState> out = new ArrayList<>();
    List<String> ids = runs.recentRuns(narrows() ? Math.max(SEARCHED, limit) : limit * 10);
    for (int from = 0; from < ids.size() && out.size() < limit; from += CHUNK) {
      for (RunState r : runs.findAll(ids.subList(from, Math.min(ids.size(), from + CHUNK)))) {
        if (matches(r) && out.size() < limit) {
          out.add(r);
        }
      }
    }
    return out;
  }

  private static Map<String, String> params(RunState r) {
    return r.params() == null ? Map.of() : r.params();
  }
}
