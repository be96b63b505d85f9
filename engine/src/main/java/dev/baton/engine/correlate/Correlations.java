package dev.baton.engine.correlate;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one correlation key holds: the attempts waiting on it and the events kept for attempts that
 * wait later. Every attempt waiting when an event arrives receives it (when its rule is among those
 * the event passed), and an attempt that starts waiting receives every kept event that passed its
 * rule. An event id is taken once while it is kept: the same record sent twice delivers nothing
 * twice. Bounded: at most {@link #MAX_EVENTS} kept events (the oldest go first) and {@link
 * #MAX_WAITING} waiting attempts per key.
 */
public final class Correlations {
  /** Most events kept per key. */
  public static final int MAX_EVENTS = 100;

  /** Most attempts waiting on one key. */
  public static final int MAX_WAITING = 10_000;

  /** An attempt waiting, until {@code until} (null: until it stops). */
  public record Waiter(String runId, String job, int attempt, String rule, Long until) {
    boolean same(String r, String j, int a) {
      return runId.equals(r) && job.equals(j) && attempt == a;
    }
  }

  /** An event kept until {@code expires}. */
  public record Kept(String id, long at, long expires, Map<String, Map<String, String>> rules) {}

  /** An event for one waiting attempt, with the outputs its rule maps. */
  public record Delivery(Waiter to, String eventId, Map<String, String> outputs) {}

  public List<Waiter> waiting = new ArrayList<>();
  public List<Kept> events = new ArrayList<>();

  /** Applies {@code r} at {@code now}; returns the deliveries it makes. */
  public List<Delivery> apply(CorrelationRecord r, long now) {
    expire(now);
    List<Delivery> out = new ArrayList<>();
    if (r instanceof CorrelationRecord.Event e) {
      if (events.stream().anyMatch(k -> k.id().equals(e.id()))) {
        return out; // the same event again: it was delivered when it came first
      }
      for (Waiter w : waiting) {
        Map<String, String> outputs = e.rules().get(w.rule());
        if (outputs != null) {
          out.add(new Delivery(w, e.id(), outputs));
        }
      }
      if (e.bufferMs() > 0) {
        if (events.size() >= MAX_EVENTS) {
          events.remove(0);
        }
        events.add(new Kept(e.id(), e.at(), now + e.bufferMs(), e.rules()));
      }
    } else if (r instanceof CorrelationRecord.Await a) {
      if (waiting.stream().anyMatch(w -> w.same(a.runId(), a.job(), a.attempt()))) {
        return out; // told twice
      }
      Waiter w = new Waiter(a.runId(), a.job(), a.attempt(), a.rule(), a.until());
      if (waiting.size() >= MAX_WAITING) {
        throw new IllegalStateException(
            "key "
                + CorrelationRecord.key(a.topic(), a.key())
                + " has "
                + MAX_WAITING
                + " attempts waiting already");
      }
      waiting.add(w);
      for (Kept k : events) {
        Map<String, String> outputs = k.rules().get(w.rule());
        if (outputs != null) {
          out.add(new Delivery(w, k.id(), outputs));
        }
      }
    } else if (r instanceof CorrelationRecord.Stop s) {
      waiting.removeIf(w -> w.same(s.runId(), s.job(), s.attempt()));
    }
    return out;
  }

  /** Drops kept events and waiting attempts whose time is over. */
  public void expire(long now) {
    events.removeIf(k -> k.expires() <= now);
    waiting.removeIf(w -> w.until() != null && w.until() <= now);
  }

  /** The earliest time something here expires; {@link Long#MAX_VALUE} when nothing does. */
  @JsonIgnore
  public long nextExpiry() {
    long next = Long.MAX_VALUE;
    for (Kept k : events) {
      next = Math.min(next, k.expires());
    }
    for (Waiter w : waiting) {
      if (w.until() != null) {
        next = Math.min(next, w.until());
      }
    }
    return next;
  }

  @JsonIgnore
  public boolean isEmpty() {
    return waiting.isEmpty() && events.isEmpty();
  }
}
