/* test-sampler.c — many drives read at once, each reading in its drive's place, each with a deadline */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "blob-builder.h"
#include "sampler.h"
#include "tmpdir.h"

#define N_DRIVES 20
#define READ_MS 100

/*
 * A reader that takes READ_MS per drive and counts how many of it run at once. The readers are
 * processes: the counts live in memory they share with the test (slow_reader_new()).
 */
struct slow_reader {
	atomic_uint in_flight, max_in_flight, calls[N_DRIVES];
	const struct drive_cfg *first;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct slow_reader *slow_reader_new(const struct drive_cfg *first)
{
	struct slow_reader *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(s != MAP_FAILED);
	memset(s, 0, sizeof(*s));
	s->first = first;
	return s;
}

static void slow_read(const struct drive_cfg *drive, void *userdata, void (*command)(const char *, void *),
		      void *command_userdata, struct smart_reading *ret)
{
	struct slow_reader *s = userdata;
	unsigned now = atomic_fetch_add(&s->in_flight, 1) + 1, max = atomic_load(&s->max_in_flight);
	long index = drive - s->first;

	(void)command;
	(void)command_userdata;

	while (now > max && !atomic_compare_exchange_weak(&s->max_in_flight, &max, now))
		;
	atomic_fetch_add(&s->calls[index], 1);
	/* later drives finish first, so that the order of results is not the order of completion */
	sleep_ms(READ_MS - 2 * index);
	memset(ret, 0, sizeof(*ret));
	ret->status = READING_OK;
	snprintf(ret->identity.serial, sizeof(ret->identity.serial), "%s", drive->name);
	atomic_fetch_sub(&s->in_flight, 1);
}

struct fleet {
	struct drive_cfg drives[N_DRIVES];
	const struct drive_cfg *ptrs[N_DRIVES];
	char names[N_DRIVES][8];
	struct smart_reading readings[N_DRIVES];
};

static struct fleet *fleet_new(void)
{
	struct fleet *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	for (unsigned i = 0; i < N_DRIVES; i++) {
		snprintf(f->names[i], sizeof(f->names[i]), "d%u", i);
		f->drives[i] = (struct drive_cfg){ .name = f->names[i], .source = DRIVE_DEVICE, .path = f->names[i] };
		f->ptrs[i] = &f->drives[i];
		f->readings[i].status = READING_ERROR;
	}
	return f;
}

/* Read the fleet with the slow reader; the readers' peak concurrency in *ret_max. */
static long read_fleet(struct fleet *f, unsigned max_parallel, unsigned *ret_max)
{
	struct slow_reader *s = slow_reader_new(f->drives);
	struct sampler_opts opts = { .max_parallel = max_parallel, .read = slow_read, .userdata = s };
	long start = now_ms(), ms;

	assert_int_equal(sampler_read_all(f->ptrs, N_DRIVES, &opts, f->readings), 0);
	ms = now_ms() - start;
	for (unsigned i = 0; i < N_DRIVES; i++) {
		assert_int_equal(atomic_load(&s->calls[i]), 1);
		assert_int_equal(f->readings[i].status, READING_OK);
		assert_string_equal(f->readings[i].identity.serial, f->names[i]);
	}
	assert_int_equal(atomic_load(&s->in_flight), 0);
	*ret_max = atomic_load(&s->max_in_flight);
	munmap(s, sizeof(*s));
	return ms;
}

static void test_concurrent(void **state)
{
	struct fleet *f = fleet_new();
	unsigned max;
	long ms;

	(void)state;
	ms = read_fleet(f, 0, &max);
	assert_true(max > 1);
	/* one at a time would take N_DRIVES reads; allow ten, for slow and sanitized builds */
	if (ms >= 10 * READ_MS)
		fail_msg("%d drives took %ld ms, one takes about %d", N_DRIVES, ms, READ_MS);
	free(f);
}

static void test_max_parallel(void **state)
{
	struct fleet *f = fleet_new();
	unsigned max;

	(void)state;
	read_fleet(f, 3, &max);
	assert_true(max > 1);
	assert_true(max <= 3);
	read_fleet(f, 1, &max);
	assert_int_equal(max, 1);
	free(f);
}

/* "ok" reads at once; "hang" says it sends SMART READ DATA, then never returns; "crash" and "quit" end badly. */
static void odd_read(const struct drive_cfg *drive, void *userdata, void (*command)(const char *, void *),
		     void *command_userdata, struct smart_reading *ret)
{
	const int *fd = userdata;

	memset(ret, 0, sizeof(*ret));
	ret->status = READING_OK;
	if (strcmp(drive->name, "hang") == 0) {
		command("IDENTIFY DEVICE", command_userdata);
		command("SMART READ DATA", command_userdata);
		sleep_ms(120 * 1000);
	} else if (strcmp(drive->name, "crash") == 0) {
		kill(getpid(), SIGKILL);
	} else if (strcmp(drive->name, "quit") == 0) {
		_exit(3);
	}
	/* the reader holds no descriptor of ours, however it was opened */
	snprintf(ret->identity.serial, sizeof(ret->identity.serial), "%s",
		 fcntl(*fd, F_GETFD) < 0 && errno == EBADF ? "fd closed" : "fd open");
}

static void test_deadline(void **state)
{
	struct drive_cfg drives[4] = {
		{ .name = "ok", .source = DRIVE_DEVICE, .path = "/dev/ok", .read_timeout = 1 },
		{ .name = "hang", .source = DRIVE_DEVICE, .path = "/dev/hang", .read_timeout = 1 },
		{ .name = "crash", .source = DRIVE_DEVICE, .path = "/dev/crash", .read_timeout = 1 },
		{ .name = "quit", .source = DRIVE_DEVICE, .path = "/dev/quit", .read_timeout = 1 },
	};
	const struct drive_cfg *ptrs[4] = { &drives[0], &drives[1], &drives[2], &drives[3] };
	int fd = open("/dev/null", O_RDONLY);
	struct sampler_opts opts = { .read = odd_read, .userdata = &fd };
	struct smart_reading r[4];
	long start;

	(void)state;
	assert_true(fd >= 0);
	for (int pass = 0; pass < 2; pass++) {
		start = now_ms();
		assert_int_equal(sampler_read_all(ptrs, 4, &opts, r), 0);
		/* the hung drive would take 120 s: the pass ends on its deadline, with margin for slow builds */
		if (now_ms() - start > 60 * 1000)
			fail_msg("a pass beside a hung drive took %ld ms; its read_timeout is 1 s", now_ms() - start);
		assert_int_equal(r[0].status, READING_OK);
		assert_string_equal(r[0].identity.serial, "fd closed");
		assert_int_equal(r[1].status, READING_TIMEOUT);
		assert_string_equal(r[1].reason, "no answer to SMART READ DATA within 1s");
		assert_int_equal(r[2].status, READING_ERROR);
		assert_string_equal(r[2].reason, "the reader of '/dev/crash' was killed by signal 9 (Killed)");
		assert_int_equal(r[3].status, READING_ERROR);
		assert_string_equal(r[3].reason, "the reader of '/dev/quit' ended with status 3");
		/* the second pass: the killed reader was gone, so the drive is read again, not given up on */
	}
	close(fd);
}

static void test_no_drives(void **state)
{
	struct sampler_opts opts = { .read = slow_read, .userdata = NULL }; /* would crash if called */
	struct smart_reading r;

	(void)state;
	assert_int_equal(sampler_read_all(NULL, 0, &opts, &r), 0);
}

/* The real reader: blob drives from their files, device drives through smart_read_device. */
static void test_real_reader(void **state)
{
	char dir[] = "/tmp/wg-test-sampler-XXXXXX", good[64], bad[64], missing[64], sys[64], cmd[128];
	struct drive_cfg drives[5] = {
		{ .name = "good", .source = DRIVE_BLOB, .path = good },
		{ .name = "bad", .source = DRIVE_BLOB, .path = bad },
		{ .name = "missing", .source = DRIVE_BLOB, .path = missing },
		{ .name = "gone", .source = DRIVE_DEVICE, .path = "/nonexistent-weargate/sdy" },
		{ .name = "asleep", .source = DRIVE_DEVICE, .path = "/nonexistent-weargate/sdz" },
	};
	const struct drive_cfg *ptrs[5] = { &drives[0], &drives[1], &drives[2], &drives[3], &drives[4] };
	struct sampler_opts opts = { .sysfs_root = sys };
	struct smart_reading r[5];
	struct smart_derived d;
	struct blob b;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(good, sizeof(good), "%s/good.blob", dir);
	snprintf(bad, sizeof(bad), "%s/bad.blob", dir);
	snprintf(missing, sizeof(missing), "%s/missing.blob", dir);
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	bb_healthy_hdd(&b, "G1");
	assert_int_equal(blob_save(good, &b), 0);
	bb_healthy_hdd(&b, "B1");
	bb_attr(&b, 197, 0x0032, 194, 193, 0, 529);
	b.status = 0;
	assert_int_equal(blob_save(bad, &b), 0);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/block/sdz/device/power'", sys);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/block/sdz/device/power/runtime_status", sys);
	f = fopen(cmd, "w");
	assert_non_null(f);
	fputs("suspended\n", f);
	fclose(f);

	assert_int_equal(sampler_read_all(ptrs, 5, &opts, r), 0);
	assert_int_equal(r[0].status, READING_OK);
	assert_string_equal(r[0].identity.serial, "G1");
	assert_int_equal(r[0].smart_ok, 1);
	assert_int_equal(r[1].status, READING_OK);
	assert_string_equal(r[1].identity.serial, "B1");
	assert_int_equal(r[1].smart_ok, 0);
	attrs_derive(&r[1], &d);
	assert_int_equal(d.pending, 529);
	assert_int_equal(r[2].status, READING_ERROR);
	assert_non_null(strstr(r[2].reason, "missing.blob"));
	assert_int_equal(r[3].status, READING_ERROR);
	assert_non_null(strstr(r[3].reason, "/nonexistent-weargate/sdy"));
	/* wake and the sysfs root reach the device reader */
	assert_int_equal(r[4].status, READING_STANDBY);
	opts.wake = true;
	assert_int_equal(sampler_read_all(ptrs, 5, &opts, r), 0);
	assert_int_equal(r[4].status, READING_ERROR);

	assert_int_equal(tmpdir_remove(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_max_parallel),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_no_drives),
		cmocka_unit_test(test_real_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
