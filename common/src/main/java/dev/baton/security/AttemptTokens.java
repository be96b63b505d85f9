package dev.baton.security;

import dev.baton.events.JobCompletion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may report how a job attempt ended. Each attempt has two tokens, HMAC-SHA256 of its attempt
 * id under a key only the engine and the dispatcher hold: the job's, handed to the job in {@value
 * #TOKEN_VARIABLE} (never on a topic before the job reports with it), and the dispatcher's, for the
 * reports it makes itself (start, local exit, pod watcher). The engine applies a completion only
 * with one of the two; anyone else who writes the completions topic cannot make one.
 */
public final class AttemptTokens {
  /** The job's token, in its environment. */
  public static final String TOKEN_VARIABLE = "BATON_ATTEMPT_TOKEN";

  public static final String KEY_VARIABLE = "BATON_COMPLETION_KEY";
  public static final String KEY_FILE_VARIABLE = "BATON_COMPLETION_KEY_FILE";
  public static final int MIN_KEY_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";
  private static final AttemptTokens PROCESS = random();

  /** Who signed a completion. */
  public enum Signer {
    JOB,
    DISPATCHER
  }

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  private AttemptTokens(byte[] key) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "the completion key must be at least " + MIN_KEY_BYTES + " bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    // A Mac under this key for each thread: set up once, not for every completion.
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  public static AttemptTokens of(byte[] key) {
    return new AttemptTokens(key);
  }

  /**
   * A fresh random key, for one process that runs both engine and dispatcher, or for child
   * processes to share.
   */
  public static AttemptTokens random() {
    byte[] key = new byte[MIN_KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return new AttemptTokens(key);
  }

  /**
   * The key of this process when none is configured: an engine and a dispatcher in one JVM agree on
   * it.
   */
  public static AttemptTokens processDefault() {
    return PROCESS;
  }

  /** The key as text, to hand to a child process in {@value #KEY_VARIABLE}. */
  public String keyText() {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /**
   * The key from {@value #KEY_FILE_VARIABLE} (a file, e.g. a mounted Secret) or {@value
   * #KEY_VARIABLE} (base64 of at least 32 bytes, as {@code head -c 32 /dev/urandom | base64}
   * prints; other text is taken as its bytes); when neither is set, {@code otherwise}, or an error
   * naming both when that is empty.
   */
  public static AttemptTokens fromEnv(Map<String, String> env, Optional<AttemptTokens> otherwise) {
    String file = env.get(KEY_FILE_VARIABLE);
    String value = env.get(KEY_VARIABLE);
    if (file != null && !file.isBlank()) {
      try {
        return fromText(
            Files.readString(Path.of(file), StandardCharsets.UTF_8),
            KEY_FILE_VARIABLE + " (" + file + ")");
      } catch (IOException e) {
        throw new IllegalArgumentException(
            KEY_FILE_VARIABLE + ": cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    if (value != null && !value.isBlank()) {
      return fromText(value, KEY_VARIABLE);
    }
    return otherwise.orElseThrow(
        () ->
            new IllegalArgumentException(
                KEY_FILE_VARIABLE
                    + " or "
                    + KEY_VARIABLE
                    + " is required: the key the engine and the dispatcher share to sign job completions (the same for both; "
                    + "make one with: head -c 32 /dev/urandom | base64)"));
  }

  private static AttemptTokens fromText(String text, String source) {
    String trimmed = text.strip();
    byte[] bytes = trimmed.getBytes(StandardCharsets.UTF_8);
    try {
      byte[] decoded = Base64.getDecoder().decode(trimmed);
      bytes = decoded.length >= MIN_KEY_BYTES ? decoded : bytes;
    } catch (IllegalArgumentException notBase64) {
      // a passphrase: its bytes are the key
    }
    if (bytes.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          source
              + " holds "
              + bytes.length
              + " bytes; the completion key needs at least "
              + MIN_KEY_BYTES
              + " (make one with: head -c 32 /dev/urandom | base64)");
    }
    return new AttemptTokens(bytes);
  }

  /** The token the job of this attempt reports with. */
  public String forJob(String attemptId) {
    return sign("job\n" + attemptId);
  }

  /** The token the dispatcher reports this attempt with. */
  public String forDispatcher(String attemptId) {
    return sign("dispatcher\n" + attemptId);
  }

  /**
   * The engine's token on a child run's link to its parent's attempt: only a run that the parent's
   * job started can report to it.
   */
  public String forChild(String childRunId, String parentAttemptId) {
    return sign("child\n" + childRunId + "\n" + parentAttemptId);
  }

  /** Whether {@code token} is the engine's for this child and parent attempt. */
  public boolean verifyChild(String childRunId, String parentAttemptId, String token) {
    return token != null
        && MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8),
            forChild(childRunId, parentAttemptId).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The engine's token on a command only it writes (DELIVER, ADMIT, CACHE_LOOKUP): over every field
   * the engine reads, given as {@code fields}, so none can be changed or made up.
   */
  public String forCommand(List<String> fields) {
    StringBuilder message = new StringBuilder("command");
    for (String f : fields) {
      // Length-prefixed: no two lists of fields sign alike.
      message
          .append('\n')
          .append(f == null ? -1 : f.length())
          .append(':')
          .append(f == null ? "" : f);
    }
    return sign(message.toString());
  }

  /** Whether {@code token} is the engine's over {@code fields}. */
  public boolean verifyCommand(List<String> fields, String token) {
    return token != null
        && MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8),
            forCommand(fields).getBytes(StandardCharsets.UTF_8));
  }

  /** Who signed {@code token} for this attempt; empty when it is missing or matches neither. */
  public Optional<Signer> verify(String attemptId, String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    if (MessageDigest.isEqual(given, forJob(attemptId).getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(Signer.JOB);
    }
    if (MessageDigest.isEqual(given, forDispatcher(attemptId).getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(Signer.DISPATCHER);
    }
    return Optional.empty();
  }

  /**
   * The attempt a completion reports on: {@code runId/job/attempt}, or {@code
   * runId/job[item]/attempt} for a fan-out instance.
   */
  public static String attemptId(JobCompletion c) {
    return c.getItem() == null
        ? c.getRunId() + "/" + c.getJob() + "/" + c.getAttempt()
        : c.getRunId() + "/" + c.getJob() + "[" + c.getItem() + "]/" + c.getAttempt();
  }

  private String sign(String message) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(macs.get().doFinal(message.getBytes(StandardCharsets.UTF_8)));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available: " + e, e);
    }
  }

  @Override
  public String toString() {
    return "AttemptTokens[key hidden]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AttemptTokens other
        && Arrays.equals(key.getEncoded(), other.key.getEncoded());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key.getEncoded());
  }
}
