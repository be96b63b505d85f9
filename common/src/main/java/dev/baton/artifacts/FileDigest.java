package dev.baton.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** An artifact's size and SHA-256 (hex), as its record carries them. */
public record FileDigest(long size, String sha256) {

  /** Of {@code file}, read as a stream (a link is not followed). */
  public static FileDigest of(Path file) throws IOException {
    MessageDigest sha = newSha256();
    long size = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        size += n;
      }
    }
    return new FileDigest(size, HexFormat.of().formatHex(sha.digest()));
  }

  /** Of {@code bytes}. */
  public static FileDigest of(byte[] bytes) {
    return new FileDigest(bytes.length, HexFormat.of().formatHex(newSha256().digest(bytes)));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
