package dev.baton.serde;

/**
 * A record that cannot be read as the event it claims to be. The message says why, for the
 * dead-letter topic.
 */
public class EventFormatException extends RuntimeException {
  public EventFormatException(String message) {
    super(message);
  }
}
