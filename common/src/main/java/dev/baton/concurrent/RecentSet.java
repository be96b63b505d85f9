package dev.baton.concurrent;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A set that forgets: each member is kept {@code keep} after it was last added and, past {@code
 * max} members, the oldest go first. For what a process remembers of attempts and reports, so that
 * its memory stays flat however long it runs. Thread-safe.
 */
public final class RecentSet {
  private final Duration keep;
  private final int max;
  private final Clock clock;
  private final LinkedHashMap<String, Long> added = new LinkedHashMap<>();

  public RecentSet(Duration keep, int max) {
    this(keep, max, Clock.systemUTC());
  }

  public RecentSet(Duration keep, int max, Clock clock) {
    this.keep = keep;
    this.max = max;
    this.clock = clock;
  }

  /** Adds {@code member} (again: it is kept {@code keep} from now); true if it was not there. */
  public synchronized boolean add(String member) {
    long now = clock.millis();
    boolean fresh = added.remove(member) == null;
    added.put(member, now);
    trim(now);
    return fresh;
  }

  public synchronized boolean contains(String member) {
    trim(clock.millis());
    return added.containsKey(member);
  }

  public synchronized boolean remove(String member) {
    return added.remove(member) != null;
  }

  public synchronized int size() {
    trim(clock.millis());
    return added.size();
  }

  private void trim(long now) {
    long oldest = now - keep.toMillis();
    Iterator<Map.Entry<String, Long>> it = added.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (added.size() > max || e.getValue() < oldest) {
        it.remove();
      } else {
        return; // in order of addition: the rest are newer
      }
    }
  }
}
