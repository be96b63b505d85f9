package dev.baton.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Map;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/**
 * How Baton connects to Redis. {@code url}: {@code redis://host:port} (plain), {@code
 * rediss://host:port} (TLS), {@code redis-sentinel://master@host:port,host:port} (Sentinel; {@code
 * rediss-sentinel://} for TLS), or {@code redis-cluster://host:port,host:port} (Redis Cluster, any
 * of its nodes; {@code rediss-cluster://} for TLS). An ACL user and password ({@code
 * BATON_REDIS_USERNAME}, {@code BATON_REDIS_PASSWORD} or {@code BATON_REDIS_PASSWORD_FILE}), and
 * for TLS the certificates to trust ({@code BATON_REDIS_TRUSTSTORE}: a PEM file or a PKCS12 store
 * with {@code BATON_REDIS_TRUSTSTORE_PASSWORD}; default: the JVM's). The password never appears in
 * {@link #toString()} or an error. {@code retryAttempts}: how often a connection or command is
 * tried again before it fails ({@value #SERVICE_RETRIES} for the engine and dispatcher, which must
 * ride out a restart of Redis; none for a command-line read, which says at once that Redis is not
 * there).
 */
public record RedisSettings(
    String url,
    String username,
    String password,
    Path truststore,
    String truststorePassword,
    int retryAttempts) {

  /** Redisson's default: four more tries, 1.5 s apart. */
  public static final int SERVICE_RETRIES = 4;

  public RedisSettings(
      String url, String username, String password, Path truststore, String truststorePassword) {
    this(url, username, password, truststore, truststorePassword, SERVICE_RETRIES);
  }

  public RedisSettings {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("BATON_REDIS_URL is required");
    }
    if (!url.startsWith("redis://")
        && !url.startsWith("rediss://")
        && !url.startsWith("redis-sentinel://")
        && !url.startsWith("rediss-sentinel://")
        && !url.startsWith("redis-cluster://")
        && !url.startsWith("rediss-cluster://")) {
      throw new IllegalArgumentException(
          "BATON_REDIS_URL must look like redis://host:port, rediss://host:port, "
              + "redis-sentinel://master@host:port,host:port or redis-cluster://host:port,host:port; got '"
              + redact(url)
              + "'");
    }
  }

  /**
   * Whether the URL names a Redis Cluster ({@code redis-cluster://} or {@code rediss-cluster://}).
   */
  public boolean cluster() {
    return url.contains("-cluster://");
  }

  /** A server without a user or password. */
  public static RedisSettings of(String url) {
    return new RedisSettings(url, null, null, null, null);
  }

  public static RedisSettings fromEnv(Map<String, String> env, String url) {
    String password = env.get("BATON_REDIS_PASSWORD");
    String file = env.get("BATON_REDIS_PASSWORD_FILE");
    if (password == null && file != null) {
      try {
        password = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "BATON_REDIS_PASSWORD_FILE: cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    String truststore = env.get("BATON_REDIS_TRUSTSTORE");
    return new RedisSettings(
        url,
        env.get("BATON_REDIS_USERNAME"),
        password,
        truststore == null ? null : Path.of(truststore),
        env.get("BATON_REDIS_TRUSTSTORE_PASSWORD"));
  }

  public RedisSettings withCredentials(String username, String password) {
    return new RedisSettings(
        url, username, password, truststore, truststorePassword, retryAttempts);
  }

  public RedisSettings withTruststore(Path truststore, String truststorePassword) {
    return new RedisSettings(
        url, username, password, truststore, truststorePassword, retryAttempts);
  }

  /** These settings, trying a connection or command {@code attempts} more times before failing. */
  public RedisSettings withRetries(int attempts) {
    return new RedisSettings(url, username, password, truststore, truststorePassword, attempts);
  }

  /** Where and as whom, for messages: never the password. */
  public String describe() {
    return redact(url) + (username == null ? "" : " as user '" + username + "'");
  }

  @Override
  public String toString() {
    return "RedisSettings[" + describe() + (password == null ? "" : ", password ***") + "]";
  }

  /**
   * The client's network event loops: Netty's own default (two per core), no more than the
   * connections it may open, instead of Redisson's fixed 32. Each loop holds a selector's two
   * descriptors, and every process the JVM starts copies and closes all its descriptors: a
   * dispatcher's job start pays for each one.
   */
  static int eventLoops(int poolSize) {
    return Math.max(1, Math.min(poolSize, 2 * Runtime.getRuntime().availableProcessors()));
  }

  /**
   * A Redisson client with Baton's string codec; fails with a message naming the server and user,
   * never the password.
   */
  public RedissonClient connect(int minimumIdle, int poolSize) {
    try {
      return Redisson.create(config(minimumIdle, poolSize));
    } catch (RuntimeException e) {
      String cause = redact(rootMessage(e));
      if (cluster() && cause.contains("cluster support disabled")) {
        cause =
            "it is not a Redis Cluster (cluster support disabled); name one server as"
                + " redis://host:port";
      }
      throw new IllegalStateException(
          "cannot connect to Redis at " + describe() + " (BATON_REDIS_URL): " + cause, e);
    }
  }

  Config config(int minimumIdle, int poolSize) {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE).setUsername(username).setPassword(password);
    config.setNettyThreads(eventLoops(poolSize));

    boolean tls = url.startsWith("rediss");
    if (tls) {
      config.setSslTrustManagerFactory(trustManagers());
    }
    if (cluster()) {
      var nodes =
          config
              .useClusterServers()
              .setRetryAttempts(retryAttempts)
              // Reads go to masters: a replica may lag the save a read must see.
              .setReadMode(ReadMode.MASTER)
              .setSlaveConnectionMinimumIdleSize(0)
              .setMasterConnectionMinimumIdleSize(minimumIdle)
              .setMasterConnectionPoolSize(poolSize);
      Arrays.stream(url.substring(url.indexOf("://") + 3).split(",", -1))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .forEach(hostPort -> nodes.addNodeAddress((tls ? "rediss://" : "redis://") + hostPort));
      if (nodes.getNodeAddresses().isEmpty()) {
        throw new IllegalArgumentException(
            "a cluster URL names at least one node: redis-cluster://host:port,host:port");
      }
    } else if (url.contains("-sentinel://")) {
      String rest = url.substring(url.indexOf("://") + 3);
      int at = rest.indexOf('@');
      if (at <= 0) {
        throw new IllegalArgumentException(
            "a Sentinel URL names its master: redis-sentinel://master@host:port,host:port");
      }
      var sentinel =
          config
              .useSentinelServers()
              .setRetryAttempts(retryAttempts)
              .setMasterName(rest.substring(0, at))
              .setReadMode(ReadMode.MASTER)
              .setSlaveConnectionMinimumIdleSize(0)
              .setMasterConnectionMinimumIdleSize(minimumIdle)
              .setMasterConnectionPoolSize(poolSize);
      Arrays.stream(rest.substring(at + 1).split(",", -1))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .forEach(
              hostPort -> sentinel.addSentinelAddress((tls ? "rediss://" : "redis://") + hostPort));
    } else {
      config
          .useSingleServer()
          .setRetryAttempts(retryAttempts)
          .setAddress(url)
          .setConnectionMinimumIdleSize(minimumIdle)
          .setConnectionPoolSize(poolSize);
    }
    return config;
  }

  private TrustManagerFactory trustManagers() {
    if (truststore == null) {
      return null;
    }
    try {
      KeyStore store;
      byte[] bytes = Files.readAllBytes(truststore);
      if (new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.US_ASCII)
          .contains("-----BEGIN")) {
        store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(truststore)) {
          int i = 0;
          for (Certificate cert :
              CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            store.setCertificateEntry("ca-" + i++, cert);
          }
        }
      } else {
        store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
          store.load(in, truststorePassword == null ? null : truststorePassword.toCharArray());
        }
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "BATON_REDIS_TRUSTSTORE: cannot read " + truststore + ": " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** A URL without the password of its user info (redis://user:pw@host → redis://user:***@host). */
  public static String redact(String text) {
    return text == null
        ? null
        : text.replaceAll("([A-Za-z][A-Za-z0-9+.-]*://[^:/@\\s]*:)[^@\\s]*@", "$1***@");
  }
}
