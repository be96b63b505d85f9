package dev.baton.dispatcher;

import dev.baton.events.JobDispatch;
import dev.baton.tracing.SpanRecord;
import dev.baton.tracing.TraceIds;
import dev.baton.tracing.Traceparent;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The span of one dispatch, in its run's trace. */
final class DispatchSpan {
  private DispatchSpan() {}

  /**
   * The attempt's dispatch, from the dispatcher reading the record to the runtime taking it (a
   * process started, a pod created). The gap before it, after the decision, is the record's way
   * through Kafka (under exactly-once, the engine's commit). Its parent is the decision the record
   * names in its {@code traceparent} header, else the run.
   */
  static SpanRecord of(
      ConsumerRecord<String, byte[]> record, JobDispatch dispatch, Instant received) {
    String runId = dispatch.getRunId();
    var h = record.headers().lastHeader(Traceparent.HEADER);
    Traceparent header = h == null ? null : Traceparent.parse(h.value());
    boolean own = header != null && header.traceId().equals(TraceIds.trace(runId));
    return SpanRecord.of(
            "dispatch "
                + dispatch.getJob()
                + (dispatch.getItem() == null ? "" : "[" + dispatch.getItem() + "]"),
            TraceIds.dispatch(runId, dispatch.getAttemptId()),
            own ? header : TraceIds.run(runId))
        .kind(SpanKind.CONSUMER)
        .between(received, Instant.now())
        .link(own ? null : header)
        .attribute("baton.run.id", runId)
        .attribute("baton.job", dispatch.getJob())
        .attribute("baton.attempt", dispatch.getAttempt())
        .attribute("baton.attempt.id", dispatch.getAttemptId())
        .attribute(
            "baton.runtime",
            dispatch.getRuntime() == null ? null : dispatch.getRuntime().toString());
  }
}
