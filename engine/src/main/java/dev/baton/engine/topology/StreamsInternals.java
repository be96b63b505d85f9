package dev.baton.engine.topology;

import java.lang.reflect.Field;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorContextImpl;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.processor.internals.StreamTask;

/**
 * The two things the run processor needs from Kafka Streams beyond its public API (Kafka Streams
 * 4.3, pinned in the parent pom; TopologyTestDriver runs the same classes, so the topology tests
 * exercise both):
 *
 * <ul>
 *   <li>whether the processor's task still holds records it has not processed: the processor
 *       applies its batch, and asks for a commit, when the task's input is drained;
 *   <li>forwarding from the commit hook, where Streams has no current node: the hook applies what
 *       is still batched before the task's offsets are committed. Kafka Streams' own caching stores
 *       forward from the same place the same way (current node and record context set around the
 *       call).
 * </ul>
 */
public final class StreamsInternals {
  private static final Field STREAM_TASK = streamTaskField();

  private final InternalProcessorContext<?, ?> context;
  private final ProcessorNode<?, ?, ?, ?> self;

  /** Call from the processor's {@code init}, where the current node is the processor's own. */
  StreamsInternals(ProcessorContext<?, ?> context) {
    if (!(context instanceof InternalProcessorContext<?, ?> internal)) {
      throw new IllegalStateException(
          "the run processor needs Kafka Streams' own processor context, got "
              + context.getClass());
    }
    this.context = internal;
    this.self = internal.currentNode();
    if (self == null) {
      throw new IllegalStateException("StreamsInternals must be created in Processor.init");
    }
  }

  /** True while the task holds records it has not handed to its processors. */
  boolean taskHasQueuedRecords() {
    return taskHasQueuedRecords(context);
  }

  /**
   * True while the task running {@code context}'s processor holds records it has not handed to its
   * processors.
   */
  public static boolean taskHasQueuedRecords(ProcessorContext<?, ?> context) {
    if (!(context instanceof ProcessorContextImpl)) {
      return false;
    }
    try {
      StreamTask task = (StreamTask) STREAM_TASK.get(context);
      return task != null && task.hasRecordsQueued();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether this Kafka Streams hands the processor a context that reaches its task: false after an
   * upgrade that changed the internals (then every record would be applied on its own, and {@link
   * StreamsInternalsTest} fails).
   */
  boolean reachesItsTask() {
    try {
      return context instanceof ProcessorContextImpl && STREAM_TASK.get(context) != null;
    } catch (IllegalAccessException e) {
      return false;
    }
  }

  /**
   * Runs {@code action} as the processor: what it forwards goes to the processor's children.
   * Outside {@code process} and punctuators (in the commit hook) Streams has no current node, so
   * one is set for the call, with a record context like a punctuator's.
   */
  void asProcessor(long timestamp, Runnable action) {
    ProcessorNode<?, ?, ?, ?> previousNode = context.currentNode();
    if (previousNode != null) {
      action.run();
      return;
    }
    ProcessorRecordContext previousRecord = context.recordContext();
    context.setRecordContext(
        new ProcessorRecordContext(timestamp, -1L, -1, null, new RecordHeaders()));
    context.setCurrentNode(self);
    try {
      action.run();
    } finally {
      context.setCurrentNode(null);
      context.setRecordContext(previousRecord);
    }
  }

  private static Field streamTaskField() {
    try {
      Field f = ProcessorContextImpl.class.getDeclaredField("streamTask");
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError(
          "this Kafka Streams version has no ProcessorContextImpl.streamTask: " + e);
    }
  }
}
