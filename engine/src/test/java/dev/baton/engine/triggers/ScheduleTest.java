package dev.baton.engine.triggers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.cronutils.model.time.ExecutionTime;
import dev.baton.template.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  static final Instant T = Instant.parse("2026-03-28T23:47:13.250Z");

  @Test
  void cronNextFireTimesMatchTheCronLibrary() {
    for (String cron : List.of("0 2 * * *", "*/15 9-17 * * 1-5", "30 3 1 * *", "0 0 29 2 *")) {
      ZoneId zone = ZoneId.of("Europe/Paris"); // 2026-03-29: clocks go forward at 02:00
      Schedule s = new Schedule(cron, zone, null, false);
      ExecutionTime execution = ExecutionTime.forCron(Schedule.parseCron(cron));
      List<Instant> expected = new ArrayList<>();
      ZonedDateTime t = ZonedDateTime.ofInstant(T, zone);
      for (int i = 0; i < 5; i++) {
        t = execution.nextExecution(t).orElseThrow();
        expected.add(t.toInstant());
      }
      assertEquals(expected, s.next(T, 5), cron);
      assertEquals(s.next(T), s.previous(s.next(T)), cron + ": a tick is its own previous");
    }
  }

  @Test
  void everyTicksAreAlignedToTheEpoch() {
    Schedule s = new Schedule(null, ZoneId.of("UTC"), Duration.ofSeconds(10), false);
    assertEquals(
        List.of(Instant.parse("2026-03-28T23:47:20Z"), Instant.parse("2026-03-28T23:47:30Z")),
        s.next(T, 2));
    assertEquals(Instant.parse("2026-03-28T23:47:10Z"), s.previous(T));
  }
}
