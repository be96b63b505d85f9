package dev.baton.dispatcher.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code limit} bytes a stream wrote: the part of a job's output worth reporting.
 */
final class OutputTail {
  private final byte[] ring;
  private long written;

  OutputTail(int limit) {
    this.ring = new byte[limit];
  }

  /** Drains the stream to its end (on the calling thread). */
  void drain(InputStream in) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        append(buf, n);
      }
    } catch (IOException e) {
      // The process was killed; what was read so far is the tail.
    }
  }

  private synchronized void append(byte[] buf, int n) {
    for (int i = 0; i < n; i++) {
      ring[(int) (written++ % ring.length)] = buf[i];
    }
  }

  synchronized String text() {
    int size = (int) Math.min(written, ring.length);
    byte[] out = new byte[size];
    int start = (int) ((written - size) % ring.length);
    for (int i = 0; i < size; i++) {
      out[i] = ring[(start + i) % ring.length];
    }
    String s = new String(out, StandardCharsets.UTF_8);
    return written > ring.length ? "…" + s : s;
  }
}
