package dev.baton.dispatcher.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a limit, as it arrives (no thread waits on it): past the limit the
 * rest is not read, the exchange is cancelled, and the body says it was cut.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<LimitedBody.Body> {
  /** The bytes read (at most the limit), and whether there were more. */
  record Body(byte[] bytes, boolean exceeded) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private final int limit;
  private final ByteArrayOutputStream read = new ByteArrayOutputStream();
  private final CompletableFuture<Body> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private LimitedBody(int limit) {
    this.limit = limit;
  }

  static LimitedBody of(int limit) {
    return new LimitedBody(limit);
  }

  @Override
  public CompletionStage<Body> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int n = b.remaining();
      if (read.size() + n > limit) {
        byte[] some = new byte[limit - read.size()];
        b.get(some);
        read.writeBytes(some);
        body.complete(new Body(read.toByteArray(), true));
        subscription.cancel();
        return;
      }
      byte[] all = new byte[n];
      b.get(all);
      read.writeBytes(all);
    }
  }

  @Override
  public void onError(Throwable t) {
    body.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    body.complete(new Body(read.toByteArray(), false));
  }
}
