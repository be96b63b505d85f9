package dev.baton.cli.bench;

/** Called as a phase's measured window opens and closes, to read what the processes spent in it. */
interface Window {
  Window NONE =
      new Window() {
        @Override
        public void begin() {}

        @Override
        public void end() {}
      };

  void begin();

  void end();
}
