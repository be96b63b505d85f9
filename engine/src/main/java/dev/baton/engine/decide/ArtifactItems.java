package dev.baton.engine.decide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.expressions.Expressions;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The items of a {@code forEach} over an artifact, read from the store by the shell before a
 * decision (the decider does no I/O), or why they could not be read. An artifact holding a JSON
 * array gives one item per element (values as text, objects and lists as JSON); any other gives one
 * item per non-empty line. What one artifact may cost is bounded: at most {@value #MAX_BYTES}
 * bytes, {@link Expressions#MAX_ELEMENTS} items, {@value #MAX_ITEM_CHARS} characters an item.
 */
public record ArtifactItems(List<String> items, String error) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Largest artifact a {@code forEach} reads. */
  public static final int MAX_BYTES = 8 << 20;

  /** Longest item. */
  public static final int MAX_ITEM_CHARS = 64 * 1024;

  public ArtifactItems {
    items = items == null ? null : List.copyOf(items);
  }

  public static ArtifactItems failed(String error) {
    return new ArtifactItems(null, error);
  }

  /** The items {@code bytes} hold, or the bound they go past. */
  public static ArtifactItems parse(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      return failed("it is " + bytes.length + " bytes; a forEach reads at most " + MAX_BYTES);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return failed("it is not UTF-8 text");
    }
    List<String> items = new ArrayList<>();
    if (text.stripLeading().startsWith("[")) {
      JsonNode array;
      try {
        array = JSON.readTree(text);
      } catch (Exception e) {
        return failed("it starts with '[' but is not a JSON array");
      }
      if (!array.isArray()) {
        return failed("it starts with '[' but is not a JSON array");
      }
      for (JsonNode n : array) {
        items.add(n.isValueNode() ? n.asText() : n.toString());
      }
    } else {
      for (String line : text.split("\n", -1)) {
        String item = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (!item.isEmpty()) {
          items.add(item);
        }
      }
    }
    if (items.size() > Expressions.MAX_ELEMENTS) {
      return failed(
          "it holds "
              + items.size()
              + " items; a forEach makes at most "
              + Expressions.MAX_ELEMENTS
              + " instances");
    }
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).length() > MAX_ITEM_CHARS) {
        return failed(
            "item "
                + i
                + " is "
                + items.get(i).length()
                + " characters long; at most "
                + MAX_ITEM_CHARS);
      }
    }
    return new ArtifactItems(items, null);
  }
}
