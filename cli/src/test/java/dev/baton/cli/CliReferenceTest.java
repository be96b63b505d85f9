package dev.baton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md is every command's own help, as {@code baton <command> --help} prints it: this fails
 * when the page and the help differ. {@code -Dcli.reference.write=true} writes the page again.
 */
class CliReferenceTest {
  static final Path PAGE = Path.of("../docs/cli.md");

  @Test
  void theReferencePageIsTheCommandsOwnHelp() throws IOException {
    String expected = page();
    if (Boolean.getBoolean("cli.reference.write")) {
      Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
    }
    assertTrue(expected.contains("## baton templates apply"), "nested commands are listed");
    assertEquals(
        expected,
        Files.readString(PAGE, StandardCharsets.UTF_8),
        "docs/cli.md differs from the commands' help: run `mvn -pl cli test"
            + " -Dtest=CliReferenceTest -Dcli.reference.write=true` and commit the page");
  }

  static String page() {
    StringBuilder out = new StringBuilder();
    out.append("# Command-line reference\n\n")
        .append(
            "Every `baton` command's help, as `baton <command> --help` prints it. This page is\n"
                + "generated from the commands themselves: a test fails when the two differ.\n");
    append(out, new CommandLine(new BatonCli()));
    return out.toString();
  }

  private static void append(StringBuilder out, CommandLine command) {
    String name = command.getCommandSpec().qualifiedName(" ");
    if (command.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
      return;
    }
    out.append("\n## ").append(name).append("\n\n```text\n");
    out.append(command.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing());
    out.append("\n```\n");
    command.getSubcommands().values().stream().distinct().forEach(sub -> append(out, sub));
  }
}
