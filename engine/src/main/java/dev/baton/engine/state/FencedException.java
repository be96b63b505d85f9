package dev.baton.engine.state;

/**
 * A save refused because a newer task claimed the partition: this task is a zombie (it lost the
 * partition in a rebalance and does not know yet). Its Kafka transaction is fenced too; it must
 * stop.
 */
public class FencedException extends RuntimeException {
  public FencedException(String message) {
    super(message);
  }
}
