package dev.baton.cli;

import java.io.Console;

/** Whether a person watches this process's output. */
final class Terminal {
  private Terminal() {}

  /**
   * True when standard input and output are a terminal. From Java 22 {@link System#console()} is
   * there even when output is redirected, and {@code Console.isTerminal()} tells; before, a console
   * means a terminal.
   */
  @SuppressWarnings("SystemConsoleNull") // null before Java 22; isTerminal() answers from 22 on
  static boolean attached() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
