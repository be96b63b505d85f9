package dev.baton.engine.state;

import dev.baton.engine.decide.RunState;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the history topic keeps of an ended run: its state (jobs, times, detail; no fan-out
 * instances) and its outputs by job, as JSON. Past {@value #MAX_BYTES} bytes the outputs are left
 * out: they are what grows.
 */
public record RunSummary(RunState state, Map<String, Map<String, String>> outputs) {
  public static final int MAX_BYTES = 256 * 1024;

  public static byte[] of(RunState ended) {
    RunState summary = ended.withoutItems().withoutOutputs();
    byte[] value = json(summary, ended.outputsByJob());
    return value.length <= MAX_BYTES ? value : json(summary, Map.of());
  }

  private static byte[] json(RunState state, Map<String, Map<String, String>> outputs) {
    return StateJson.write(new RunSummary(state, outputs)).getBytes(StandardCharsets.UTF_8);
  }

  /** The run as its summary has it. */
  public static RunState parse(byte[] value) {
    RunSummary s = StateJson.read(new String(value, StandardCharsets.UTF_8), RunSummary.class);
    return s.outputs() == null ? s.state() : s.state().withOutputs(s.outputs());
  }
}
