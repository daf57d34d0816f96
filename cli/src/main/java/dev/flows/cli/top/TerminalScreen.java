package dev.flows.cli.top;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * The full-screen view: alternate screen, no cursor, raw keys, redrawn in place every interval
 * (jline's Display sends only the lines that changed). Whatever ends top — q, Ctrl-C, the JVM
 * shutting down — the terminal is given back as it was.
 */
final class TerminalScreen {
    private static final int READ_EXPIRED = -2;
    private static final String KEYS_LINE = Controls.KEYS;

    private final Terminal terminal;
    private final AtomicBoolean restored = new AtomicBoolean();
    private Attributes saved;

    private TerminalScreen(Terminal terminal) {
        this.terminal = terminal;
    }

    static TerminalScreen open() throws IOException {
        // INT is handled by us (quit and restore), not by the JVM's default (exit without restoring).
        Terminal t = TerminalBuilder.builder().system(true).nativeSignals(true).signalHandler(Terminal.SignalHandler.SIG_IGN).build();
        return new TerminalScreen(t);
    }

    /** Renders frames until the user quits. */
    void run(Frame frame, Controls controls, Follower follower, long intervalMillis, LongSupplier clock) throws IOException {
        terminal.handle(Terminal.Signal.INT, s -> controls.quit());
        AtomicBoolean resized = new AtomicBoolean(true);
        terminal.handle(Terminal.Signal.WINCH, s -> resized.set(true));
        Thread hook = new Thread(this::restore, "flows-top-restore");
        Runtime.getRuntime().addShutdownHook(hook);
        saved = terminal.enterRawMode();
        terminal.puts(Capability.enter_ca_mode);
        terminal.puts(Capability.cursor_invisible);
        terminal.flush();
        Display display = new Display(terminal, true);
        NonBlockingReader reader = terminal.reader();
        try {
            long next = 0;
            boolean redraw = true;
            while (!controls.quitting()) {
                long now = clock.getAsLong();
                if (resized.getAndSet(false)) {
                    Size size = terminal.getSize();
                    display.clear();
                    display.resize(Math.max(1, size.getRows()), Math.max(1, size.getColumns()));
                    redraw = true;
                }
                if (redraw || now >= next) {
                    draw(display, frame, controls, follower, now);
                    next = now + intervalMillis;
                    redraw = false;
                }
                int c = reader.read(Math.max(1, next - clock.getAsLong()));
                if (c == NonBlockingReader.EOF) {
                    controls.quit();
                } else if (c != READ_EXPIRED && c >= 0) {
                    redraw = controls.press(c);
                }
            }
        } finally {
            restore();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook has run or will run, restore() is idempotent
            }
        }
    }

    private void draw(Display display, Frame frame, Controls controls, Follower follower, long now) {
        Size size = terminal.getSize();
        // One column short of the edge: a line that fills the last column makes terminals wrap
        // (or jline mark the wrap), which would scroll the screen.
        int width = Math.max(20, size.getColumns() - 1);
        int height = Math.max(5, size.getRows());
        // title, status, header, rows, keys
        List<String> lines = frame.lines(controls.view(), controls.sort(), now, width, height - 4, follower.problem(), follower.lost());
        List<AttributedString> out = new ArrayList<>();
        for (int i = 0; i < lines.size() && i < height - 1; i++) {
            out.add(i == 2 ? AttributedString.fromAnsi("\u001b[7m" + pad(lines.get(i), width) + "\u001b[0m") : new AttributedString(lines.get(i)));
        }
        while (out.size() < height - 1) {
            out.add(AttributedString.EMPTY);
        }
        out.add(new AttributedString(KEYS_LINE.length() > width ? KEYS_LINE.substring(0, width) : KEYS_LINE));
        display.update(out, size.cursorPos(height - 1, 0));
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s.substring(0, width) : s + " ".repeat(width - s.length());
    }

    /** Leaves the alternate screen, shows the cursor, restores the tty modes; once. */
    private void restore() {
        if (!restored.compareAndSet(false, true)) {
            return;
        }
        try {
            // After leaving the alternate screen: terminals (tmux among them) restore the cursor
            // state saved on entry there, which would undo a cursor_visible sent before.
            terminal.puts(Capability.exit_ca_mode);
            // cursor_normal (cnorm), not cursor_visible (cvvis: "very visible", which does not undo civis everywhere).
            terminal.puts(Capability.cursor_normal);
            terminal.flush();
            if (saved != null) {
                terminal.setAttributes(saved);
            }
            terminal.close();
        } catch (IOException e) {
            // the terminal is gone; nothing left to restore
        }
    }
}
