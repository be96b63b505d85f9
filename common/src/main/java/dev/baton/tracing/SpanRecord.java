package dev.baton.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One finished span, with the ids {@link TraceIds} gives it: Baton's spans cross processes and
 * hours (a job attempt starts in the dispatcher and is known to have ended when the engine applies
 * its report), so they are written whole, when their end is known, rather than opened and closed by
 * one tracer.
 */
public final class SpanRecord {
  private static final int MAX_ATTRIBUTE_CHARS = 1024;
  private static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("baton");

  private final String name;
  private final Traceparent self;
  private final Traceparent parent;
  private long startNanos;
  private long endNanos;
  private SpanKind kind = SpanKind.INTERNAL;
  private final AttributesBuilder attributes = Attributes.builder();
  private final List<LinkData> links = new ArrayList<>(1);
  private StatusData status = StatusData.unset();

  private SpanRecord(String name, Traceparent self, Traceparent parent) {
    this.name = name;
    this.self = self;
    this.parent = parent;
  }

  /** A span {@code self} named {@code name}, child of {@code parent} (null: a root span). */
  public static SpanRecord of(String name, Traceparent self, Traceparent parent) {
    return new SpanRecord(name, self, parent);
  }

  public SpanRecord between(Instant start, Instant end) {
    this.startNanos = nanos(start);
    this.endNanos = Math.max(startNanos, nanos(end));
    return this;
  }

  public SpanRecord kind(SpanKind k) {
    this.kind = k;
    return this;
  }

  /** An attribute; null values are left out, long ones cut to 1,024 characters. */
  public SpanRecord attribute(String key, String value) {
    if (value != null) {
      attributes.put(
          AttributeKey.stringKey(key),
          value.length() > MAX_ATTRIBUTE_CHARS ? value.substring(0, MAX_ATTRIBUTE_CHARS) : value);
    }
    return this;
  }

  public SpanRecord attribute(String key, long value) {
    attributes.put(AttributeKey.longKey(key), value);
    return this;
  }

  /** A span of another trace this one follows from (a caller's, a parent run's). */
  public SpanRecord link(Traceparent other) {
    if (other != null) {
      links.add(LinkData.create(context(other, true)));
    }
    return this;
  }

  public SpanRecord error(String description) {
    String d = description == null ? "" : description;
    this.status =
        StatusData.create(
            StatusCode.ERROR,
            d.length() > MAX_ATTRIBUTE_CHARS ? d.substring(0, MAX_ATTRIBUTE_CHARS) : d);
    return this;
  }

  public Traceparent context() {
    return self;
  }

  public String name() {
    return name;
  }

  /** When the span starts, in nanoseconds since the epoch. */
  public long startNanos() {
    return startNanos;
  }

  /** When the span ends, in nanoseconds since the epoch. */
  public long endNanos() {
    return endNanos;
  }

  SpanData data(Resource resource) {
    return new Data(
        name,
        kind,
        context(self, false),
        parent == null ? SpanContext.getInvalid() : context(parent, true),
        status,
        startNanos,
        attributes.build(),
        List.copyOf(links),
        endNanos,
        resource);
  }

  private static SpanContext context(Traceparent t, boolean remote) {
    return remote
        ? SpanContext.createFromRemoteParent(
            t.traceId(), t.spanId(), TraceFlags.getSampled(), TraceState.getDefault())
        : SpanContext.create(
            t.traceId(), t.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private record Data(
      String getName,
      SpanKind getKind,
      SpanContext getSpanContext,
      SpanContext getParentSpanContext,
      StatusData getStatus,
      long getStartEpochNanos,
      Attributes getAttributes,
      List<LinkData> getLinks,
      long getEndEpochNanos,
      Resource getResource)
      implements SpanData {
    @Override
    public List<EventData> getEvents() {
      return List.of();
    }

    @Override
    public boolean hasEnded() {
      return true;
    }

    @Override
    public int getTotalRecordedEvents() {
      return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
      return getLinks.size();
    }

    @Override
    public int getTotalAttributeCount() {
      return getAttributes.size();
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
      return SCOPE;
    }

    @Override
    @SuppressWarnings("deprecation")
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
      return InstrumentationLibraryInfo.create(SCOPE.getName(), null);
    }
  }
}
