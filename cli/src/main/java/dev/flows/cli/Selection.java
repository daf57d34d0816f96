package dev.flows.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Which flows to ask for, as typed: null or false where not given. */
public record Selection(Integer last, Integer first, boolean all, boolean follow, When since, When until) {
    public static final Selection DEFAULT = new Selection(null, null, false, false, null, null);

    /** A point in time as --since and --until take it: fixed, or a duration before the request is made. */
    public record When(Instant at, Duration ago) {
        static When at(Instant at) {
            return new When(at, null);
        }

        static When ago(Duration ago) {
            return new When(null, ago);
        }

        /** The instant, a relative one counted back from {@code clock}'s now. */
        Instant resolve(Clock clock) {
            return at != null ? at : clock.instant().minus(ago);
        }
    }
}
