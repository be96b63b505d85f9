package dev.baton.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.engine.EngineConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A view that closes while the feed reads its run's past events leaves nothing behind. */
class RunEventFeedTest {
  @Test
  void unsubscribingWhileCatchingUpLeaksNoSubscription() {
    EngineConfig config = EngineConfig.builder("unused:9092", "redis://unused:6379", "t").build();
    RunEventFeed feed = new RunEventFeed(config, false);
    RunEventFeed.Subscription s = feed.subscribe("r1", Instant.EPOCH);
    RunEventFeed.Subscription taken = feed.nextJoining(); // the feed's thread took it up
    feed.unsubscribe(s); // the view closed meanwhile

    String topic = config.topics().events();
    TopicPartition tp = new TopicPartition(topic, 0);
    MockConsumer<String, byte[]> live = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    live.assign(List.of(tp));
    live.updateBeginningOffsets(Map.of(tp, 0L));
    live.updateEndOffsets(Map.of(tp, 0L));
    live.seek(tp, 0);
    MockConsumer<String, byte[]> history =
        new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name()) {
          @Override
          public synchronized Map<
                  TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp>
              offsetsForTimes(Map<TopicPartition, Long> query) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp> none =
                new java.util.HashMap<>();
            query.keySet().forEach(k -> none.put(k, null));
            return none;
          }
        };
    history.updateBeginningOffsets(Map.of(tp, 0L));
    history.updateEndOffsets(Map.of(tp, 0L));
    feed.catchUp(taken, live, history, 1);

    assertEquals(0, feed.followedRuns());
  }
}
