package dev.baton.dispatcher;

import dev.baton.dispatcher.local.LocalProcessRuntime;
import java.util.concurrent.CountDownLatch;

/** The dispatcher as its own process, with the local process runtime; configured by BATON_* variables. */
public final class DispatcherMain {
  private DispatcherMain() {}

  public static void main(String[] args) throws InterruptedException {
    DispatcherConfig config = DispatcherConfig.fromEnv(System.getenv());
    Dispatcher dispatcher = new Dispatcher(config, new LocalProcessRuntime(config.workDir(), config.tailBytes())).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dispatcher.close();
      stopped.countDown();
    }, "dispatcher-shutdown"));
    stopped.await();
  }
}
