package dev.baton.cli.bench;

import java.util.Arrays;

/** Latencies in microseconds, kept whole so percentiles are exact. Thread-safe. */
final class Latencies {
  private long[] values = new long[1 << 16];
  private int size;

  synchronized void add(long micros) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = micros;
  }

  synchronized int count() {
    return size;
  }

  /** The mean in milliseconds, or NaN when empty. */
  synchronized double meanMillis() {
    if (size == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += values[i];
    }
    return sum / size / 1000.0;
  }

  /** The p-th percentile (0..100) in milliseconds, or NaN when empty. */
  synchronized double percentileMillis(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * size) - 1;
    return sorted[Math.max(0, Math.min(size - 1, index))] / 1000.0;
  }
}
