package dev.baton.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of the engine during one phase, summarised: CPU samples by thread group, and, for
 * the engine's stream thread, by the first frame that is not in the JDK's collections or locks
 * (where the thread's time goes).
 */
final class Profile {
  private Profile() {}

  /**
   * Prints where the CPU went in the recording {@code file}; {@code engineThreadMarker} picks the
   * engine's threads.
   */
  static void summarize(Path file, PrintWriter out, String engineThreadMarker, int top)
      throws IOException {
    Map<String, Integer> byGroup = new HashMap<>();
    Map<String, Integer> byArea = new HashMap<>();
    Map<String, Integer> byMethod = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    int total = 0;
    int engine = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      total++;
      String thread =
          e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
      byGroup.merge(group(thread, engineThreadMarker), 1, Integer::sum);
      if (thread != null
          && thread.contains(engineThreadMarker)
          && thread.contains("StreamThread")) {
        engine++;
        RecordedStackTrace stack = e.getStackTrace();
        if (stack != null && !stack.getFrames().isEmpty()) {
          byArea.merge(area(stack.getFrames()), 1, Integer::sum);
          Set<String> seen = new HashSet<>();
          for (RecordedFrame frame : stack.getFrames()) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("dev.baton.")
                && seen.add(type + "." + frame.getMethod().getName())) {
              inclusive.merge(
                  type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName(),
                  1,
                  Integer::sum);
            }
          }
          RecordedFrame f = stack.getFrames().get(0);
          byMethod.merge(
              f.getMethod().getType().getName() + "." + f.getMethod().getName(), 1, Integer::sum);
        }
      }
    }
    out.printf("CPU samples: %d in all; by thread:%n", total);
    print(out, byGroup, total, top);
    out.printf("engine stream thread (%d samples), by what it was doing:%n", engine);
    print(out, byArea, engine, top);
    out.printf("engine stream thread, Baton's methods with what they call (inclusive):%n");
    print(out, inclusive, engine, top);
    out.printf("engine stream thread, hottest methods (top frame):%n");
    print(out, byMethod, engine, top);
    out.println("recording: " + file);
  }

  private static void print(PrintWriter out, Map<String, Integer> counts, int total, int top) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            en ->
                out.printf(
                    "  %5.1f%%  %s%n", 100.0 * en.getValue() / Math.max(1, total), en.getKey()));
  }

  private static String group(String thread, String engineMarker) {
    if (thread == null) {
      return "?";
    }
    if (thread.contains("StreamThread")) {
      return thread.contains(engineMarker) ? "engine stream thread" : "other stream thread";
    }
    if (thread.startsWith("kafka-producer-network-thread")) {
      return "Kafka producer I/O";
    }
    if (thread.startsWith("redisson") || thread.contains("netty")) {
      return "Redis client I/O (Redisson/Netty)";
    }
    if (thread.startsWith("bench-")) {
      return "benchmark's runtime (load driver)";
    }
    return thread.replaceAll("[-_]?\\d+$", "");
  }

  /** What the stream thread was doing, by the outermost recognisable library frame. */
  private static String area(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      if (type.startsWith("org.redisson") || type.startsWith("io.netty")) {
        return "waiting on / talking to Redis (Redisson)";
      }
      if (type.startsWith("dev.baton.engine.decide")) {
        return "deciding (dev.baton.engine.decide)";
      }
      if (type.startsWith("dev.baton.engine.state")) {
        return "run state encoding (dev.baton.engine.state)";
      }
      if (type.startsWith("dev.baton.serde") || type.startsWith("org.apache.avro")) {
        return "event encoding (serde, Avro)";
      }
      if (type.startsWith("com.fasterxml.jackson")) {
        return "JSON (Jackson)";
      }
      if (type.startsWith("dev.cel") || type.startsWith("com.google")) {
        return "expressions (CEL)";
      }
      if (type.startsWith("org.slf4j")) {
        return "logging";
      }
      if (type.startsWith("org.apache.kafka.clients.producer")
          || type.startsWith("org.apache.kafka.clients.consumer")
          || type.startsWith("org.apache.kafka.common")) {
        return "Kafka client (send, poll, commit)";
      }
      if (type.startsWith("org.apache.kafka.streams")) {
        return "Kafka Streams runtime";
      }
    }
    return "other: " + frames.get(0).getMethod().getType().getName();
  }
}
