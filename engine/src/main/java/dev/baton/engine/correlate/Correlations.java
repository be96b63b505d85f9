package dev.baton.engine.correlate;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one correlation key holds: the attempts waiting on it and the events kept for attempts that
 * wait later. Every attempt waiting when an event arrives receives it (when its rule is among those
 * the event passed), and an attempt that starts waiting receives every kept event that passed its
 * rule. An event id is taken once while it is kept: the same record sent twice delivers nothing
 * twice.
 *
 * <p>Each waiting attempt and each kept event is an entry of its own in the store, beside a small
 * tally of the key, so a record rewrites a few small entries however much the key holds, and no
 * changelog record grows with it. Bounded per key: {@link #MAX_EVENTS} kept events (the oldest go
 * first) of at most {@link #MAX_KEPT_BYTES} in all, each at most {@link #MAX_EVENT_BYTES}, and
 * {@link #MAX_WAITING} waiting attempts. An event past a bound is still delivered to the attempts
 * waiting now; it is only not kept, and the record says why ({@link Outcome#refused}).
 *
 * <p>Store keys: {@code <key>\0w\0<run>\0<job>\0<attempt>} (a waiter), {@code <key>\0e\0<seq>} (a
 * kept event, in arrival order), {@code <key>\0i\0<event id>} (its sequence number), {@code
 * <key>\0t} (the tally). Expiry index keys: {@code <time>|<entry key>}.
 */
public final class Correlations {
  /** Most events kept per key. */
  public static final int MAX_EVENTS = 100;

  /** Most bytes of the events kept per key. */
  public static final int MAX_KEPT_BYTES = 1024 * 1024;

  /** Most bytes of one kept event (its outputs for every wait it passed). */
  public static final int MAX_EVENT_BYTES = 300 * 1024;

  /** Most attempts waiting on one key. */
  public static final int MAX_WAITING = 10_000;

  static final char SEP = '\u0000';

  /** An attempt waiting, until {@code until} (null: until it stops). */
  public record Waiter(String runId, String job, int attempt, String rule, Long until) {
    boolean waitingAt(long now) {
      return until == null || until > now;
    }
  }

  /** An event kept until {@code expires}. */
  public record Kept(String id, long at, long expires, Map<String, Map<String, String>> rules) {}

  /** An event for one waiting attempt, with the outputs its rule maps. */
  public record Delivery(Waiter to, String eventId, Map<String, String> outputs) {}

  /** What a record did: its deliveries, and why a part of it was refused (null: none was). */
  public record Outcome(List<Delivery> deliveries, String refused) {
    static Outcome of(List<Delivery> deliveries) {
      return new Outcome(deliveries, null);
    }
  }

  /** What a key holds, counted: kept events and their bytes, waiters, the last event's number. */
  record Tally(long seq, int events, long bytes, int waiters) {
    static final Tally EMPTY = new Tally(0, 0, 0, 0);
  }

  private final EntryStore entries;
  private final EntryStore expiry;
  private final String key;

  /** {@code key}'s part of {@code entries}, with the expiry index {@code expiry}. */
  public Correlations(EntryStore entries, EntryStore expiry, String key) {
    this.entries = entries;
    this.expiry = expiry;
    this.key = key;
  }

  /** Applies {@code r} at {@code now}. */
  public Outcome apply(CorrelationRecord r, long now) {
    if (r instanceof CorrelationRecord.Event e) {
      return event(e, now);
    }
    if (r instanceof CorrelationRecord.Await a) {
      return await(a, now);
    }
    CorrelationRecord.Stop s = (CorrelationRecord.Stop) r;
    String entry = waiterKey(s.runId(), s.job(), s.attempt());
    if (entries.get(entry) != null) {
      entries.delete(entry);
      Tally t = tally();
      saveTally(new Tally(t.seq(), t.events(), t.bytes(), t.waiters() - 1));
    }
    return Outcome.of(List.of());
  }

  private Outcome event(CorrelationRecord.Event e, long now) {
    String seen = entries.get(idKey(e.id()));
    if (seen != null && Long.parseLong(seen.substring(seen.indexOf('|') + 1)) > now) {
      return Outcome.of(List.of()); // the same event again: it was delivered when it came first
    }
    List<Delivery> out = new ArrayList<>();
    for (Waiter w : waiters(now)) {
      Map<String, String> outputs = e.rules().get(w.rule());
      if (outputs != null) {
        out.add(new Delivery(w, e.id(), outputs));
      }
    }
    if (e.bufferMs() <= 0) {
      return Outcome.of(out);
    }
    Kept kept = new Kept(e.id(), e.at(), now + e.bufferMs(), e.rules());
    String json = json(kept);
    int bytes = bytes(json);
    if (bytes > MAX_EVENT_BYTES) {
      return new Outcome(
          out,
          notKept(e, out, "it is " + bytes + " bytes; a kept event may have " + MAX_EVENT_BYTES));
    }
    Tally t = tally();
    while (t.events() >= MAX_EVENTS) {
      t = dropOldest(t);
    }
    if (t.bytes() + bytes > MAX_KEPT_BYTES) {
      return new Outcome(
          out,
          notKept(
              e,
              out,
              "key "
                  + key
                  + " keeps "
                  + t.events()
                  + " events of "
                  + t.bytes()
                  + " bytes already; a key keeps at most "
                  + MAX_KEPT_BYTES
                  + " bytes"));
    }
    long seq = t.seq() + 1;
    String entry = eventKey(seq);
    entries.put(entry, json);
    entries.put(idKey(e.id()), seq + "|" + kept.expires());
    expiry.put(expiryKey(kept.expires(), entry), "");
    saveTally(new Tally(seq, t.events() + 1, t.bytes() + bytes, t.waiters()));
    return Outcome.of(out);
  }

  private static String notKept(CorrelationRecord.Event e, List<Delivery> out, String why) {
    return "event "
        + e.id()
        + " was delivered to "
        + out.size()
        + " waiting attempt(s) but is not kept for steps that wait later: "
        + why;
  }

  private Outcome await(CorrelationRecord.Await a, long now) {
    String entry = waiterKey(a.runId(), a.job(), a.attempt());
    if (entries.get(entry) != null) {
      return Outcome.of(List.of()); // told twice
    }
    Tally t = tally();
    if (t.waiters() >= MAX_WAITING) {
      return new Outcome(
          List.of(),
          "key "
              + key
              + " has "
              + MAX_WAITING
              + " attempts waiting already; this one is not added");
    }
    Waiter w = new Waiter(a.runId(), a.job(), a.attempt(), a.rule(), a.until());
    entries.put(entry, json(w));
    if (w.until() != null) {
      expiry.put(expiryKey(w.until(), entry), "");
    }
    saveTally(new Tally(t.seq(), t.events(), t.bytes(), t.waiters() + 1));
    List<Delivery> out = new ArrayList<>();
    for (Kept k : kept(now)) {
      Map<String, String> outputs = k.rules().get(w.rule());
      if (outputs != null) {
        out.add(new Delivery(w, k.id(), outputs));
      }
    }
    return Outcome.of(out);
  }

  /** Drops the oldest kept event; returns the tally after. */
  private Tally dropOldest(Tally t) {
    List<Map.Entry<String, String>> events = entries.withPrefix(key + SEP + "e" + SEP);
    if (events.isEmpty()) {
      return new Tally(t.seq(), 0, 0, t.waiters());
    }
    return drop(events.get(0).getKey(), events.get(0).getValue(), t);
  }

  private Tally drop(String entry, String json, Tally t) {
    Kept k = read(json, Kept.class);
    entries.delete(entry);
    if (k != null) {
      entries.delete(idKey(k.id()));
    }
    Tally after =
        new Tally(
            t.seq(),
            Math.max(0, t.events() - 1),
            Math.max(0, t.bytes() - bytes(json)),
            t.waiters());
    saveTally(after);
    return after;
  }

  /**
   * The expiry index entry {@code indexKey} came due at {@code now}: its entry goes if its time is
   * over (a waiter whose wait ended, a kept event past its buffer).
   */
  public static void expire(EntryStore entries, EntryStore expiry, String indexKey, long now) {
    expiry.delete(indexKey);
    String entry = indexKey.substring(indexKey.indexOf('|') + 1);
    int sep = entry.indexOf(SEP);
    if (sep < 0) {
      new Correlations(entries, expiry, entry).migrate(); // a key written before entries
      return;
    }
    String json = entries.get(entry);
    if (json == null) {
      return; // gone already (stopped, or dropped as the oldest)
    }
    Correlations c = new Correlations(entries, expiry, entry.substring(0, sep));
    char kind = entry.charAt(sep + 1);
    Tally t = c.tally();
    if (kind == 'e') {
      Kept k = read(json, Kept.class);
      if (k == null || k.expires() <= now) {
        c.drop(entry, json, t);
      }
    } else if (kind == 'w') {
      Waiter w = read(json, Waiter.class);
      if (w == null || !w.waitingAt(now)) {
        entries.delete(entry);
        c.saveTally(new Tally(t.seq(), t.events(), t.bytes(), t.waiters() - 1));
      }
    }
  }

  /** The attempts waiting at {@code now}. */
  public List<Waiter> waiters(long now) {
    List<Waiter> out = new ArrayList<>();
    for (Map.Entry<String, String> e : entries.withPrefix(key + SEP + "w" + SEP)) {
      Waiter w = read(e.getValue(), Waiter.class);
      if (w != null && w.waitingAt(now)) {
        out.add(w);
      }
    }
    return out;
  }

  /** The events kept at {@code now}, oldest first. */
  public List<Kept> kept(long now) {
    List<Kept> out = new ArrayList<>();
    for (Map.Entry<String, String> e : entries.withPrefix(key + SEP + "e" + SEP)) {
      Kept k = read(e.getValue(), Kept.class);
      if (k != null && k.expires() > now) {
        out.add(k);
      }
    }
    return out;
  }

  /** The correlation key an entry of the store belongs to (null for the tally of none). */
  static String keyOf(String entry) {
    int sep = entry.indexOf(SEP);
    return sep < 0 ? entry : entry.substring(0, sep);
  }

  Tally tally() {
    String json = entries.get(key + SEP + "t");
    Tally t = json == null ? null : read(json, Tally.class);
    return t == null ? Tally.EMPTY : t;
  }

  private void saveTally(Tally t) {
    if (t.events() <= 0 && t.waiters() <= 0) {
      entries.delete(key + SEP + "t");
    } else {
      entries.put(key + SEP + "t", json(t));
    }
  }

  private String waiterKey(String runId, String job, int attempt) {
    return key + SEP + "w" + SEP + runId + SEP + job + SEP + attempt;
  }

  private String eventKey(long seq) {
    return key + SEP + "e" + SEP + String.format("%015d", seq);
  }

  private String idKey(String eventId) {
    return key + SEP + "i" + SEP + eventId;
  }

  static String expiryKey(long at, String entry) {
    return String.format("%015d|%s", at, entry);
  }

  private static int bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }

  /** What a key held in one value, before entries: read once, then written as entries. */
  record Legacy(List<Waiter> waiting, List<Kept> events) {}

  /**
   * Rewrites what this key held as one value (written by an engine before entries) as entries, and
   * deletes the value. Nothing to do when there is none.
   */
  public void migrate() {
    String old = entries.get(key);
    if (old == null) {
      return;
    }
    entries.delete(key);
    Legacy legacy = read(old, Legacy.class);
    if (legacy == null) {
      return;
    }
    Tally t = tally();
    long seq = t.seq();
    int events = t.events();
    long bytes = t.bytes();
    int waiters = t.waiters();
    for (Waiter w : legacy.waiting() == null ? List.<Waiter>of() : legacy.waiting()) {
      String entry = waiterKey(w.runId(), w.job(), w.attempt());
      entries.put(entry, json(w));
      if (w.until() != null) {
        expiry.put(expiryKey(w.until(), entry), "");
      }
      waiters++;
    }
    for (Kept k : legacy.events() == null ? List.<Kept>of() : legacy.events()) {
      String json = json(k);
      String entry = eventKey(++seq);
      entries.put(entry, json);
      entries.put(idKey(k.id()), seq + "|" + k.expires());
      expiry.put(expiryKey(k.expires(), entry), "");
      events++;
      bytes += bytes(json);
    }
    saveTally(new Tally(seq, events, bytes, waiters));
  }

  private static String json(Object value) {
    try {
      return CorrelationRecord.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An entry read back; null when this version cannot read it (it is then dropped). */
  private static <T> T read(String json, Class<T> type) {
    try {
      return CorrelationRecord.JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
