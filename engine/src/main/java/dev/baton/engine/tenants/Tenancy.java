package dev.baton.engine.tenants;

import dev.baton.engine.state.JobSlots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the engine shares job slots between tenants: {@code jobCapacity} slots in all ({@code
 * BATON_JOB_CAPACITY}; 0: no slots, dispatches go out at once, as before), shared by the weights
 * and limits of {@code tenantsFile} ({@code BATON_TENANTS_FILE}; null: every tenant weight 1). The
 * file is read again when it changes; a change that does not parse is logged with its line and the
 * shares in force stay.
 */
public final class Tenancy {
  private static final Logger LOG = LoggerFactory.getLogger(Tenancy.class);
  public static final Tenancy OFF = new Tenancy(0, null, Map.of());
  private static final long CHECK_EVERY_NANOS = 200_000_000L;

  private final int jobCapacity;
  private final Path tenantsFile;
  private final AtomicReference<Map<String, JobSlots.Share>> shares;
  private volatile long readMtime;
  private volatile long checkedAt;
  private volatile String lastError;

  private Tenancy(int jobCapacity, Path tenantsFile, Map<String, JobSlots.Share> initial) {
    this.jobCapacity = jobCapacity;
    this.tenantsFile = tenantsFile;
    this.shares = new AtomicReference<>(Map.copyOf(initial));
  }

  /** Reads the file now: a bad file fails the start with its line. */
  public static Tenancy of(int jobCapacity, Path tenantsFile)
      throws TenantShares.InvalidTenantsFileException {
    if (jobCapacity < 0) {
      throw new IllegalArgumentException(
          "BATON_JOB_CAPACITY must be 0 or more, got " + jobCapacity);
    }
    Tenancy t =
        new Tenancy(
            jobCapacity,
            tenantsFile,
            tenantsFile == null ? Map.of() : TenantShares.read(tenantsFile));
    t.readMtime = t.mtime();
    t.checkedAt = System.nanoTime();
    return t;
  }

  public int jobCapacity() {
    return jobCapacity;
  }

  public boolean sharesSlots() {
    return jobCapacity > 0;
  }

  public Path tenantsFile() {
    return tenantsFile;
  }

  /** The shares in force, after reading the file again if it changed. */
  public Map<String, JobSlots.Share> shares() {
    reloadIfChanged();
    return shares.get();
  }

  /** The share of {@code tenant}: its weight and limits. */
  public JobSlots.Share share(String tenant) {
    return shares.get().getOrDefault(tenant, JobSlots.Share.DEFAULT);
  }

  /** Each tenant's run quota, of those that have one, as the file says now. */
  public Map<String, Integer> maxRunsByTenant() {
    Map<String, Integer> out = new HashMap<>();
    shares()
        .forEach(
            (tenant, share) -> {
              if (share.maxRuns() > 0) {
                out.put(tenant, share.maxRuns());
              }
            });
    return out;
  }

  /** The most runs of {@code tenant} that may run at once (0: no limit), as the file says now. */
  public int maxRuns(String tenant) {
    reloadIfChanged();
    return share(tenant).maxRuns();
  }

  /** Why the last change of the file was refused (null: it was read). */
  public String lastError() {
    return lastError;
  }

  /** Looks at the file's time at most every {@link #CHECK_EVERY_NANOS}, not on every call. */
  private void reloadIfChanged() {
    if (tenantsFile == null) {
      return;
    }
    long tick = System.nanoTime();
    if (tick - checkedAt < CHECK_EVERY_NANOS) {
      return;
    }
    checkedAt = tick;
    long now = mtime();
    if (now == readMtime) {
      return;
    }
    readMtime = now;
    try {
      shares.set(Map.copyOf(TenantShares.read(tenantsFile)));
      lastError = null;
      LOG.info("tenant shares read again from {}: {}", tenantsFile, shares.get());
    } catch (TenantShares.InvalidTenantsFileException e) {
      lastError = e.getMessage();
      LOG.error("tenants file refused, the shares in force stay: {}", e.getMessage());
    }
  }

  private long mtime() {
    try {
      return tenantsFile == null ? 0 : Files.getLastModifiedTime(tenantsFile).toMillis();
    } catch (IOException e) {
      return -1;
    }
  }
}
