package dev.baton.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttemptTokensTest {
  static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
  static final String PASSPHRASE = "a passphrase of more than thirty-two bytes";

  @Test
  void eachAttemptHasItsOwnTokensAndOnlyTheyVerify() {
    AttemptTokens tokens =
        AttemptTokens.fromEnv(Map.of(AttemptTokens.KEY_VARIABLE, KEY), Optional.empty());
    String job = tokens.forJob("r1/a/1");
    assertEquals(Optional.of(AttemptTokens.Signer.JOB), tokens.verify("r1/a/1", job));
    assertEquals(
        Optional.of(AttemptTokens.Signer.DISPATCHER),
        tokens.verify("r1/a/1", tokens.forDispatcher("r1/a/1")));
    assertNotEquals(
        job,
        tokens.forDispatcher("r1/a/1"),
        "the dispatcher's start report does not reveal the job's token");
    assertEquals(Optional.empty(), tokens.verify("r1/a/2", job), "another attempt of the same job");
    assertEquals(Optional.empty(), tokens.verify("r1/a[0]/1", job), "a fan-out instance");
    assertEquals(Optional.empty(), tokens.verify("r1/a/1", null));
    assertEquals(Optional.empty(), tokens.verify("r1/a/1", ""));
    assertEquals(
        Optional.empty(),
        tokens.verify("r1/a/1", AttemptTokens.random().forJob("r1/a/1")),
        "another key");
    assertEquals(43, job.length());
  }

  @Test
  void keyComesFromAFileBeforeTheVariableAndMustBeLongEnough(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("key"), KEY + "\n");
    AttemptTokens fromFile =
        AttemptTokens.fromEnv(
            Map.of(
                AttemptTokens.KEY_FILE_VARIABLE,
                file.toString(),
                AttemptTokens.KEY_VARIABLE,
                PASSPHRASE),
            Optional.empty());
    assertEquals(
        AttemptTokens.fromEnv(Map.of(AttemptTokens.KEY_VARIABLE, KEY), Optional.empty()), fromFile);
    AttemptTokens passphrase =
        AttemptTokens.fromEnv(Map.of(AttemptTokens.KEY_VARIABLE, PASSPHRASE), Optional.empty());
    assertNotEquals(fromFile, passphrase);
    assertEquals(
        passphrase,
        AttemptTokens.fromEnv(
            Map.of(AttemptTokens.KEY_VARIABLE, passphrase.keyText()), Optional.empty()),
        "keyText hands the same key to a child process");

    var missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> AttemptTokens.fromEnv(Map.of(), Optional.empty()));
    assertTrue(
        missing
            .getMessage()
            .startsWith("BATON_COMPLETION_KEY_FILE or BATON_COMPLETION_KEY is required"),
        missing.getMessage());
    var tooShort =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AttemptTokens.fromEnv(
                    Map.of(AttemptTokens.KEY_VARIABLE, "short"), Optional.empty()));
    assertTrue(
        tooShort.getMessage().contains("holds 5 bytes; the completion key needs at least 32"),
        tooShort.getMessage());
    var unreadable =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AttemptTokens.fromEnv(
                    Map.of(AttemptTokens.KEY_FILE_VARIABLE, dir.resolve("none").toString()),
                    Optional.empty()));
    assertTrue(
        unreadable.getMessage().startsWith("BATON_COMPLETION_KEY_FILE: cannot read"),
        unreadable.getMessage());
    assertEquals(
        AttemptTokens.processDefault(),
        AttemptTokens.fromEnv(Map.of(), Optional.of(AttemptTokens.processDefault())));
    assertFalse(
        AttemptTokens.processDefault()
            .toString()
            .contains(AttemptTokens.processDefault().keyText()));
  }
}
