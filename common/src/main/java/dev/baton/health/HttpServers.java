package dev.baton.health;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.concurrent.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK HTTP servers of Baton's processes, made so that slow clients cannot hold them: a request
 * must arrive whole, headers and body, within {@link #REQUEST_SECONDS} (the JDK server then closes
 * the connection), there are {@link #THREADS} threads, so a few slow connections leave the others
 * (and the probes) answering, and {@link #perClient} caps what one client address has in progress.
 * Every JDK HTTP server of a process must be made here: the time limit is the JDK's and is read
 * once, when its first server starts.
 */
public final class HttpServers {
  /** Most seconds a request may take to arrive (headers and body). */
  public static final int REQUEST_SECONDS = 10;

  /** Threads that read requests and answer them. */
  public static final int THREADS = 64;

  static {
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
    }
    // Small answers leave at once: with Nagle's algorithm on (the JDK server's default) a response
    // written in two parts waits for the client's delayed ACK, ~40 ms each, and the web UI loads a
    // few dozen modules in a chain of imports.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private HttpServers() {}

  /** A server on {@code address} whose threads are named {@code threads}; not started. */
  public static HttpServer create(InetSocketAddress address, String threads) throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            DaemonThreads.named(threads));
    pool.allowCoreThreadTimeOut(true);
    server.setExecutor(pool);
    return server;
  }

  /**
   * A filter that lets one client address have at most {@code limit} requests with a body in
   * progress (a body is what a slow client holds a thread with, once the time limit has let its
   * headers through); more are answered 429 at once, before their bodies are read. Requests without
   * a body pass.
   */
  public static Filter perClient(int limit) {
    ConcurrentHashMap<InetAddress, AtomicInteger> inProgress = new ConcurrentHashMap<>();
    return new Filter() {
      @Override
      public void doFilter(HttpExchange ex, Chain chain) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (ex.getRequestHeaders().getFirst("Transfer-Encoding") == null
            && (length == null || length.strip().equals("0"))) {
          chain.doFilter(ex);
          return;
        }
        InetAddress client = ex.getRemoteAddress().getAddress();
        AtomicInteger n = inProgress.computeIfAbsent(client, k -> new AtomicInteger());
        try {
          if (n.incrementAndGet() > limit) {
            byte[] body =
                ("{\"error\":\"this client has "
                        + limit
                        + " requests in progress already; try again when one has ended\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Connection", "close");
            ex.sendResponseHeaders(429, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
            return;
          }
          chain.doFilter(ex);
        } finally {
          if (n.decrementAndGet() == 0) {
            inProgress.remove(client, n);
          }
        }
      }

      @Override
      public String description() {
        return "at most " + limit + " requests in progress per client";
      }
    };
  }
}
