package dev.baton.dispatcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keeps the last {@code limit} bytes a stream wrote: the part of a job's output worth reporting.
 */
public final class OutputTail {
  private final byte[] ring;
  private long written;

  public OutputTail(int limit) {
    this.ring = new byte[limit];
  }

  /** Drains the stream to its end (on the calling thread). */
  public void drain(InputStream in) {
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

  /** A stream whose bytes this keeps the tail of. */
  public OutputStream stream() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        append(new byte[] {(byte) b}, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        append(Arrays.copyOfRange(b, off, off + len), len);
      }
    };
  }

  public synchronized String text() {
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
