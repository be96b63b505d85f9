package dev.baton.engine.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.engine.decide.RunState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The JSON form of run state in Redis: readable with redis-cli, and by Lua scripts if needed. */
public final class StateJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .registerModule(
              new com.fasterxml.jackson.module.blackbird
                  .BlackbirdModule()) // accessors by lambda, not reflection
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private StateJson() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable stored " + type.getSimpleName(), e);
    }
  }

  public static Map<String, Map<String, String>> readOutputs(String json) {
    try {
      return MAPPER.readValue(json, new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable stored outputs", e);
    }
  }

  /** The records an applied event produced, as {@code save.lua} keeps them apart. */
  static List<OutboundRecord> readProduced(String json) {
    try {
      return MAPPER.readValue(json, new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable stored records", e);
    }
  }

  public static RunState readState(String json) {
    return read(json, RunState.class);
  }
}
