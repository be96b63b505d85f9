package dev.baton.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** A run parameter of a template written in Java: {@code param("order", required())}. */
public final class Param {
  private final Map<String, Object> doc = new LinkedHashMap<>();

  private Param() {}

  /** A run must give it. */
  public static Param required() {
    Param p = new Param();
    p.doc.put("required", true);
    return p;
  }

  /** A run may leave it out; then it is empty. */
  public static Param optional() {
    Param p = new Param();
    p.doc.put("required", false);
    return p;
  }

  /** A run may leave it out; then it is {@code value}. */
  public static Param withDefault(String value) {
    Param p = new Param();
    p.doc.put("default", value);
    return p;
  }

  /** What the parameter is for, shown beside it. */
  public Param description(String text) {
    doc.put("description", text);
    return this;
  }

  Map<String, Object> document() {
    return doc;
  }
}
