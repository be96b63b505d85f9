package dev.baton.engine.api;

/** An error the caller made (4xx) or the engine cannot help (503), with its message. */
final class ApiException extends RuntimeException {
  final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }
}
