package dev.baton.dispatcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a job writes is kept as its tail only, however much it writes (warm exec, local jobs). */
class OutputTailTest {
  @Test
  void fiftyMegabytesWrittenKeepFourKilobytes() throws Exception {
    OutputTail tail = new OutputTail(4096);
    OutputStream out = tail.stream();
    byte[] line = "0123456789abcdef\n".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 50 * 1024 * 1024 / line.length; i++) {
      out.write(line);
    }
    out.write("the end\n".getBytes(StandardCharsets.UTF_8));
    String text = tail.text();
    assertTrue(text.length() <= 4097, text.length() + " characters kept");
    assertTrue(text.endsWith("the end\n"));
  }
}
