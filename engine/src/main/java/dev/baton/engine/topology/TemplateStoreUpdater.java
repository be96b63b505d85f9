package dev.baton.engine.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the template store (a global store of the template topic) and tells {@link
 * TemplateFreshness} how far it has read.
 */
final class TemplateStoreUpdater implements Processor<String, String, Void, Void> {
  private final TemplateFreshness freshness;
  private ProcessorContext<Void, Void> context;
  private KeyValueStore<String, String> store;

  TemplateStoreUpdater(TemplateFreshness freshness) {
    this.freshness = freshness;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(EngineTopology.TEMPLATE_STORE);
  }

  @Override
  public void process(Record<String, String> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
    context.recordMetadata().ifPresent(m -> freshness.readUpTo(m.offset() + 1));
  }
}
