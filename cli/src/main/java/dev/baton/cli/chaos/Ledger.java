package dev.baton.cli.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the chaos jobs wrote to their ledger, one line per execution ({@code <run> <job>
 * <attempt>}): how many executions, how many attempts ran twice, and how many jobs of succeeded
 * runs never ran.
 */
record Ledger(int executions, long twice, long missing) {
  static Ledger read(Path ledger, Set<String> succeeded) throws IOException {
    Map<String, Integer> executions = new HashMap<>();
    for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        executions.merge(line.trim(), 1, Integer::sum);
      }
    }
    long twice = executions.values().stream().filter(n -> n > 1).count();
    Set<String> ranJobs = new HashSet<>();
    executions.keySet().forEach(k -> ranJobs.add(k.substring(0, k.lastIndexOf(' '))));
    long missing = 0;
    for (String run : succeeded) {
      for (String job : List.of("one", "two", "three")) {
        if (!ranJobs.contains(run + " " + job)) {
          missing++;
        }
      }
    }
    return new Ledger(executions.size(), twice, missing);
  }
}
