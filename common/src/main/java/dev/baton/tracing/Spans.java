package dev.baton.tracing;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's finished spans on their way to an OTLP endpoint: kept in a bounded queue and sent in
 * batches by one daemon thread, so tracing never holds up the work it traces. When the queue is
 * full (the endpoint is slow or away) a span is dropped and counted, never waited for. {@link #OFF}
 * takes nothing and costs nothing.
 */
public final class Spans implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Spans.class);
  static final int QUEUE = 8192;
  static final int BATCH = 512;
  private static final Duration SEND_EVERY = Duration.ofMillis(500);

  /** Tracing is off: {@link #on()} is false and spans are not built. */
  public static final Spans OFF = new Spans(null, null);

  private final SpanExporter exporter;
  private final Resource resource;
  private final BlockingQueue<SpanData> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Thread sender;
  private volatile boolean closing;

  private Spans(SpanExporter exporter, String service) {
    this.exporter = exporter;
    this.resource =
        service == null
            ? null
            : Resource.getDefault()
                .merge(
                    Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), service)));
    this.queue = exporter == null ? null : new ArrayBlockingQueue<>(QUEUE);
    if (exporter != null) {
      sender = new Thread(this::sendLoop, "baton-span-export");
      sender.setDaemon(true);
      sender.start();
    } else {
      sender = null;
    }
  }

  /** Spans sent as {@code export} says; {@link #OFF} when it is null. */
  public static Spans start(TraceExport export) {
    if (export == null) {
      return OFF;
    }
    OtlpHttpSpanExporterBuilder b =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(export.endpoint().toString())
            .setTimeout(Duration.ofSeconds(5));
    export.headers().forEach(b::addHeader);
    LOG.info("sending spans to {} as {}", export.endpoint(), export.service());
    return new Spans(b.build(), export.service());
  }

  /** Spans are wanted: build them. */
  public boolean on() {
    return exporter != null;
  }

  /** Queues a finished span; drops it (and counts it) when the queue is full. */
  public void add(SpanRecord span) {
    if (exporter == null) {
      return;
    }
    if (!queue.offer(span.data(resource))) {
      if (dropped.getAndIncrement() % 10_000 == 0) {
        LOG.warn("span queue full ({} spans): dropping spans until the endpoint catches up", QUEUE);
      }
    }
  }

  /**
   * Counts spans in {@code registry} as {@code baton_trace_spans_total{service, result}}: {@code
   * sent}, {@code dropped} (the queue was full), {@code failed} (the endpoint refused them or was
   * away). Nothing when tracing is off.
   */
  public Spans meterTo(MeterRegistry registry, String service) {
    if (exporter != null) {
      for (var result : Map.of("sent", sent, "dropped", dropped, "failed", failed).entrySet()) {
        FunctionCounter.builder("baton.trace.spans", result.getValue(), AtomicLong::get)
            .tags("service", service, "result", result.getKey())
            .description("Spans this service made, by what became of them")
            .register(registry);
      }
    }
    return this;
  }

  /** Spans dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Spans the endpoint took. */
  public long sent() {
    return sent.get();
  }

  /**
   * Sends a batch when {@value #BATCH} spans are queued or half a second after the last send,
   * whichever comes first: a steady trickle of spans makes two requests a second, not one each.
   */
  private void sendLoop() {
    List<SpanData> batch = new ArrayList<>(BATCH);
    while (!closing || !queue.isEmpty()) {
      long deadline = System.nanoTime() + SEND_EVERY.toNanos();
      while (!closing && queue.size() < BATCH) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
      queue.drainTo(batch, BATCH);
      if (!batch.isEmpty()) {
        send(batch);
        batch.clear();
      }
    }
  }

  private void send(List<SpanData> batch) {
    CompletableResultCode result = exporter.export(List.copyOf(batch)).join(10, TimeUnit.SECONDS);
    if (result.isSuccess()) {
      sent.addAndGet(batch.size());
    } else if (failed.getAndAdd(batch.size()) == 0) {
      LOG.warn("the span endpoint did not take {} spans; later failures are counted", batch.size());
    }
  }

  /** Sends what is queued, waiting at most 3 s for the endpoint, then stops. */
  @Override
  public void close() {
    if (exporter == null) {
      return;
    }
    closing = true;
    try {
      sender.join(3_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exporter.shutdown().join(2, TimeUnit.SECONDS);
  }
}
