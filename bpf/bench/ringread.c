/* ringread.c: reference C reader of the flows ring buffer, for benchmarks against the Java reader.
 *
 * Opens a pinned ring buffer map by path and drains it with libbpf's ring_buffer__consume every
 * millisecond (the kernel side submits with BPF_RB_NO_WAKEUP below the watermark, so the reader
 * polls on a timer rather than waiting for wakeups), printing events/s once a second.
 *
 *   gcc -O2 -o ringread bpf/bench/ringread.c -lbpf
 *   ./ringread /sys/fs/bpf/flows/<node>/events [seconds]
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

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PINNED_RING_PATH [seconds]\n", argv[0]);
		return 2;
	}
	int seconds = argc > 2 ? atoi(argv[2]) : 10;
	int fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "bpf_obj_get %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(fd, on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "ring_buffer__new: %s\n", strerror(errno));
		return 1;
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
