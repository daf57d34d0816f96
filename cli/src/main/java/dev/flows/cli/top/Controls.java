package dev.flows.cli.top;

/**
 * What the user chose with keys: sort order, flows or drops, and whether to quit. Kept apart from
 * the terminal so that the key handling is tested with plain characters.
 */
public final class Controls {
    /** The help line shown under the table. */
    static final String KEYS = "keys: r rate  t total  n name  d flows/drops  q quit";

    private volatile Sort sort;
    private volatile View view;
    private volatile boolean quit;

    public Controls(Sort sort, View view) {
        this.sort = sort;
        this.view = view;
    }

    /**
     * Applies one key press.
     *
     * @return true if it changed what the screen shows (so it is redrawn at once, not at the next tick)
     */
    public boolean press(int key) {
        int k = Character.toLowerCase(key);
        Sort s = Sort.forKey(k);
        if (s != null) {
            sort = s;
            return true;
        }
        switch (k) {
            case 'd' -> view = view.toggled();
            // Ctrl-C arrives as a byte only when the terminal does not turn it into SIGINT.
            case 'q', 3 -> quit = true;
            default -> {
                return false;
            }
        }
        return true;
    }

    public void quit() {
        quit = true;
    }

    public Sort sort() {
        return sort;
    }

    public View view() {
        return view;
    }

    public boolean quitting() {
        return quit;
    }
}
