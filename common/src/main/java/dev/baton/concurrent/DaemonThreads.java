package dev.baton.concurrent;

import java.util.concurrent.ThreadFactory;

/** Threads that never keep the JVM alive, named for what they do (they show so in thread dumps). */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
