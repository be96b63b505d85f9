package dev.baton.cli.bench;

import dev.baton.artifacts.S3ArtifactStore;
import dev.baton.cli.dev.DevFiles;
import dev.baton.cli.dev.LocalS3;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;

/**
 * {@code baton bench --artifacts MB}: how fast a file moves through the artifact store on this
 * machine (s3proxy on a local directory, the AWS SDK v2, as under {@code baton dev}), beside a
 * plain copy of the same file and the SHA-256 the runtime computes of every artifact.
 */
final class ArtifactThroughput {
  private ArtifactThroughput() {}

  static void run(int megabytes, PrintWriter out) throws Exception {
    Path work = Files.createTempDirectory("baton-bench-artifacts-");
    try (LocalS3 s3 = LocalS3.start(work.resolve("s3"), DevFiles.freePort(), "bench");
        S3ArtifactStore store = new S3ArtifactStore(s3.settings())) {
      Path file = work.resolve("artifact.bin");
      write(file, megabytes);
      out.printf("artifacts: %d MiB through s3proxy on a local directory%n", megabytes);
      long t0 = System.nanoTime();
      Files.copy(file, work.resolve("copy.bin"));
      report(out, "plain copy (Files.copy)", megabytes, System.nanoTime() - t0);
      t0 = System.nanoTime();
      sha256(file);
      report(out, "SHA-256 of the file", megabytes, System.nanoTime() - t0);
      t0 = System.nanoTime();
      store.put("runs/bench/job/1/artifact", file);
      report(out, "upload (S3 put, parts of 32 MiB)", megabytes, System.nanoTime() - t0);
      t0 = System.nanoTime();
      store.get("runs/bench/job/1/artifact", work.resolve("down.bin"));
      report(out, "download (S3 get to a file)", megabytes, System.nanoTime() - t0);
      if (Files.mismatch(file, work.resolve("down.bin")) != -1) {
        throw new IllegalStateException("the downloaded file differs from the uploaded one");
      }
    } finally {
      DevFiles.deleteTree(work);
    }
  }

  private static void report(PrintWriter out, String what, int megabytes, long nanos) {
    out.printf("  %-34s %8.0f ms  %7.1f MiB/s%n", what, nanos / 1e6, megabytes / (nanos / 1e9));
  }

  private static void write(Path file, int megabytes) throws IOException {
    byte[] block = new byte[1 << 20];
    new Random(1).nextBytes(block);
    try (OutputStream o = Files.newOutputStream(file)) {
      for (int i = 0; i < megabytes; i++) {
        block[0] = (byte) i;
        o.write(block);
      }
    }
  }

  private static void sha256(Path file) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    }
    sha.digest();
  }
}
