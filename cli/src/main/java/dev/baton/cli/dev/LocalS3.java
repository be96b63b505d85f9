package dev.baton.cli.dev;

import dev.baton.artifacts.ArtifactSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server in this process, on a local directory (s3proxy with jclouds' filesystem
 * store): {@code baton dev}'s artifact store, and the tests'. It listens on 127.0.0.1 only and
 * checks request signatures with a key pair made at start.
 */
public final class LocalS3 implements AutoCloseable {
  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final ArtifactSettings settings;

  private LocalS3(S3Proxy proxy, BlobStoreContext context, ArtifactSettings settings) {
    this.proxy = proxy;
    this.context = context;
    this.settings = settings;
  }

  /** Starts a server on {@code port} storing under {@code dir}, with bucket {@code bucket}. */
  public static LocalS3 start(Path dir, int port, String bucket) throws Exception {
    Files.createDirectories(dir);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dir.toString());
    String access = "baton-" + UUID.randomUUID().toString().substring(0, 8);
    String secret = UUID.randomUUID().toString();
    BlobStoreContext context =
        ContextBuilder.newBuilder("filesystem")
            .overrides(properties)
            .credentials(access, secret)
            .buildView(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, bucket);
    String endpoint = "http://127.0.0.1:" + port;
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create(endpoint))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, access, secret)
            .build();
    proxy.start(); // Jetty's start returns once it listens; the state is checked, not assumed
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!proxy.getState().equals("STARTED")) {
      if (System.nanoTime() > deadline) {
        proxy.stop();
        throw new IllegalStateException("the local S3 server did not start on port " + port);
      }
      LockSupport.parkNanos(5_000_000);
    }
    return new LocalS3(
        proxy, context, new ArtifactSettings(bucket, "runs", endpoint, null, access, secret));
  }

  /** The store's settings, with this server's endpoint and key pair. */
  public ArtifactSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      // stopping: nothing more to do
    }
    context.close();
  }
}
