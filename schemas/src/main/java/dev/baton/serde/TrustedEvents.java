package dev.baton.serde;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro refuses to build a class it has not been told to trust. Baton's own event classes are
 * trusted here, once per JVM, beside whatever the JVM trusts already: an application reading
 * Baton's events (the Java client) needs no {@code org.apache.avro.SERIALIZABLE_PACKAGES}.
 */
final class TrustedEvents {
  private static final String PACKAGE = "dev.baton.events";
  private static final AtomicBoolean DONE = new AtomicBoolean();

  private TrustedEvents() {}

  static void ensure() {
    if (!DONE.compareAndSet(false, true)) {
      return;
    }
    ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
    ClassSecurityValidator.setGlobal(
        new ClassSecurityPredicate() {
          @Override
          public boolean isTrusted(Class<?> type) {
            return PACKAGE.equals(type.getPackageName()) || before.isTrusted(type);
          }

          @Override
          public void forbiddenClass(String name) {
            before.forbiddenClass(name);
          }
        });
  }
}
