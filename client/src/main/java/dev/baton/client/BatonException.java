package dev.baton.client;

/** Something Baton or Kafka refused or did not answer, in words that name what is wrong. */
public class BatonException extends RuntimeException {
  public BatonException(String message) {
    super(message);
  }

  public BatonException(String message, Throwable cause) {
    super(message, cause);
  }
}
