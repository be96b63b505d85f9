package dev.baton.engine.decide;

import dev.baton.events.WorkflowTrigger;
import dev.baton.template.Template;
import java.util.regex.Pattern;

/**
 * Which tenant a run belongs to: the trigger's {@code tenant}; else the template's {@code tenant}
 * expression over the run's params; else {@value RunState#DEFAULT_TENANT}. A child run's trigger
 * carries its parent's. A tenant name is lower-case letters, digits and '-', at most 63 characters.
 */
final class Tenants {
  private Tenants() {}

  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  static final class InvalidTenantException extends RuntimeException {
    InvalidTenantException(String message) {
      super(message);
    }
  }

  static String of(WorkflowTrigger trigger, Template template, RunState run) {
    String given = trigger.getTenant();
    if (given != null && !given.isBlank()) {
      return checked(given, "the trigger's tenant");
    }
    if (template.tenant() == null) {
      return RunState.DEFAULT_TENANT;
    }
    String resolved;
    try {
      resolved = new Substitution(run, null).apply(template.tenant());
    } catch (Substitution.MissingValueException e) {
      throw new InvalidTenantException("the template's tenant " + e.getMessage());
    }
    return checked(resolved, "the template's tenant '" + template.tenant() + "'");
  }

  private static String checked(String tenant, String source) {
    if (!NAME.matcher(tenant).matches()) {
      throw new InvalidTenantException(
          source
              + " gives '"
              + (tenant.length() > 80 ? tenant.substring(0, 80) + "…" : tenant)
              + "', which is not a tenant name (lower-case letters, digits and '-', at most 63)");
    }
    return tenant;
  }
}
