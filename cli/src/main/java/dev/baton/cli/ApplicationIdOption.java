package dev.baton.cli;

import picocli.CommandLine.Option;

/**
 * {@code --application-id}: the engine whose keys in Redis a command reads (its run index, its
 * cached results).
 */
final class ApplicationIdOption {
  @Option(
      names = "--application-id",
      defaultValue = "${env:BATON_APPLICATION_ID:-baton-engine}",
      description =
          "The engine's application id (default: $BATON_APPLICATION_ID, else baton-engine)")
  String applicationId;
}
