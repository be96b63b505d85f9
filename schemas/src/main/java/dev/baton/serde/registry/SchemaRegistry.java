package dev.baton.serde.registry;

import org.apache.avro.Schema;

/**
 * The two calls Baton needs from a schema registry (Confluent's REST API, or any registry speaking
 * it).
 */
public interface SchemaRegistry {

  /** Registers {@code schema} under {@code subject} (or finds it there) and returns its id. */
  int register(String subject, Schema schema);

  /** The schema with this id. */
  Schema byId(int id);

  /** Where the registry is, for error messages. */
  String url();
}
