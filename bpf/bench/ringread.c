/* ringread.c: reference C reader of the flows ring buffer, for benchmarks against the Java reader.
 *
 * Opens a pinned ring buffer map by path and drains it with libbpf's ring_buffer__consume every
 * millisecond (the kernel side submits with BPF_RB_NO_WAKEUP below the watermark, so the reader
 * polls on a timer rather than waiting for wakeups), printing events/s once a second.
 *
 * With --drain it instead waits for a line on stdin, consumes what the ring holds then and prints
 * one line the Java bench parses (bench/, ./run-bench): "drained <events> events in <ns> ns";
 * again for every line, until end of input. Only the consume is timed, and the process (so its
 * mapping of the ring) lives across rounds: the first pass over a fresh mapping of a large ring
 * spends more time in page faults than in reading, and the Java reader keeps its mapping too.
 *
 *   gcc -O2 -o ringread bpf/bench/ringread.c -lbpf
 *   ./ringread /sys/fs/bpf/flows/<node>/events [seconds]
 *   ./ringread --drain /sys/fs/bpf/flows/<node>/events
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long events;

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	events++;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* For each line on stdin, one timed ring_buffer__consume of everything pending. */
static int drain_on_request(struct ring_buffer *rb)
{
	char line[64];
	while (fgets(line, sizeof(line), stdin)) {
		events = 0;
		long long start = now_ns();
		int n = ring_buffer__consume(rb);
		long long elapsed = now_ns() - start;
		if (n < 0) {
			fprintf(stderr, "ring_buffer__consume: %s\n", strerror(-n));
			return 1;
		}
		printf("drained %llu events in %lld ns\n", events, elapsed);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int drain = argc > 1 && strcmp(argv[1], "--drain") == 0;
	if (argc < 2 + drain) {
		fprintf(stderr, "usage: %s PINNED_RING_PATH [seconds]\n"
				"       %s --drain PINNED_RING_PATH\n", argv[0], argv[0]);
		return 2;
	}
	const char *path = argv[1 + drain];
	int seconds = !drain && argc > 2 ? atoi(argv[2]) : 10;
	int fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "bpf_obj_get %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(fd, on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "ring_buffer__new: %s\n", strerror(errno));
		return 1;
	}
	if (drain) {
		int ret = drain_on_request(rb);
		ring_buffer__free(rb);
		return ret;
	}
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 1000000 };
	double start = now_s(), last = start;
	unsigned long long last_events = 0;
	while (now_s() - start < seconds) {
		if (ring_buffer__consume(rb) < 0) {
			fprintf(stderr, "ring_buffer__consume failed\n");
			break;
		}
		double t = now_s();
		if (t - last >= 1.0) {
			printf("%.0f events/s\n", (events - last_events) / (t - last));
			fflush(stdout);
			last = t;
			last_events = events;
		}
		nanosleep(&tick, NULL);
	}
	printf("total %llu events in %.1f s\n", events, now_s() - start);
	ring_buffer__free(rb);
	return 0;
}
