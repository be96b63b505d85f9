package dev.baton.engine.apply;

/**
 * Brings the engine's template store up to date before a trigger names a template: whatever was
 * applied before the trigger was sent is there once {@link #asOf} returns.
 */
@FunctionalInterface
public interface TemplatesCurrent {
  /** The store as it stands: for tests that apply templates straight into it. */
  TemplatesCurrent AS_IS = sentAt -> {};

  /** Returns once every template applied before {@code sentAtMillis} is in the store. */
  void asOf(long sentAtMillis);
}
