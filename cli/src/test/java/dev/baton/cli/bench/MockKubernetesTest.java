package dev.baton.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The mock API server the Kubernetes tests and the bench run against. */
class MockKubernetesTest {

  /**
   * Watches closed while their pods change leave the server answering: closing a watch that is
   * being sent an event used to hold the server's only event loop until a 10 s write timeout, and a
   * test's next request timed out.
   */
  @Test
  void closingWatchesWhilePodsChangeLeavesTheServerAnswering() throws Exception {
    try (MockKubernetes mock = new MockKubernetes()) {
      KubernetesClient client = mock.client();
      String ns = client.getNamespace();
      for (int i = 0; i < 10; i++) {
        client.pods().inNamespace(ns).resource(pod("p" + i, 0)).create();
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger writes = new AtomicInteger();
      Thread writer =
          new Thread(
              () -> {
                while (!stop.get()) {
                  int i = writes.incrementAndGet();
                  client
                      .pods()
                      .inNamespace(ns)
                      .resource(pod("p" + i % 10, i))
                      .createOr(NonDeletingOperation::update);
                }
              });
      writer.setDaemon(true);
      writer.start();
      try {
        for (int i = 0; i < 1_000 && (i < 150 || writes.get() < 150); i++) {
          Watch watch =
              client
                  .pods()
                  .inNamespace(ns)
                  .watch(
                      new Watcher<Pod>() {
                        @Override
                        public void eventReceived(Action action, Pod pod) {}

                        @Override
                        public void onClose(WatcherException cause) {}
                      });
          watch.close();
          // Throws KubernetesClientException when no answer comes within the client's 10 s.
          assertEquals(10, client.pods().inNamespace(ns).list().getItems().size(), "pods");
        }
      } finally {
        stop.set(true);
        writer.join(10_000);
      }
      assertTrue(writes.get() >= 150, "pods changed while the watches closed: " + writes.get());
    }
  }

  private static Pod pod(String name, int generation) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("generation", Integer.toString(generation))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("job")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }
}
