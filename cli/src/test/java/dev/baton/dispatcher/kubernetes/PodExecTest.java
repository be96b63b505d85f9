package dev.baton.dispatcher.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.cli.bench.MockKubernetes;
import dev.baton.dispatcher.OutputTail;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Execs against the mock API server, which sends a command's output, its exit status and the
 * socket's close back to back. The client writes output on a thread of its own, so the exit code
 * alone does not say the output is all there; and the mock once lost about one exec in 1,500 (a
 * warm pod's outputs read as empty in WarmPoolIT).
 */
class PodExecTest {

  @Test
  void everyByteOfOutputIsThereOnceTheExecHasEnded() throws Exception {
    try (MockKubernetes mock = new MockKubernetes()) {
      var client = mock.client();
      String ns = client.getNamespace();
      client
          .pods()
          .inNamespace(ns)
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName("p")
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("job")
                  .withImage("job:1")
                  .endContainer()
                  .endSpec()
                  .build())
          .create();
      // The mock's cat prints step=<the last job exec'd in that pod>.
      try (PodExec job =
          PodExec.open(client, ns, "p", new OutputTail(64).stream(), null, "env", "a")) {
        job.exitCode().get(10, TimeUnit.SECONDS);
        job.awaitOutput();
      }
      for (int i = 0; i < 50; i++) {
        OutputTail out = new OutputTail(64);
        try (PodExec cat = PodExec.open(client, ns, "p", out.stream(), null, "cat", "outputs")) {
          assertEquals(0, cat.exitCode().get(10, TimeUnit.SECONDS));
          cat.awaitOutput();
        }
        assertEquals("step=a\n", out.text(), "exec " + i);
      }
    }
  }
}
