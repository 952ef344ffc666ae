/* store.c — the SMART history in one SQLite file (the only user of sqlite3) */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "attrs.h"
#include "drivedb.h"
#include "frame.h"
#include "import.h"
#include "store.h"

/*
 * The pages of a new history. A commit writes whole pages to the log: a pass of two dozen
 * drives changes a few rows on a few pages, a gate's decision one row on one page, and at
 * 2 KiB each of those pages is half what it was at 4 KiB (the write-budget benchmark: a gate's
 * decision 2,072 bytes instead of 4,120). A history made with another page size keeps it.
 */
#define HISTORY_PAGE_SIZE 2048
/*
 * A chunk row fits a page of 2 KiB, or half one of 4 KiB, all in place: appending a sample
 * then rewrites one page, never a chain of overflow pages. SQLite keeps a row of up to 2,013
 * bytes on a page of 2 KiB; the samples take 1,940 of them and the other columns the rest
 * (at 1,980, one chunk in six spilled a few bytes onto a page of its own).
 */
#define CHUNK_MAX 1940
/*
 * Nor does a chunk cover more than this, so that the chunks of a time range are found by the
 * time they start, through an index that appending never touches.
 */
#define CHUNK_MAX_SPAN (4 * 86400)
/*
 * A chunk's newest records are kept in its tail, a row of its own in a table that holds only
 * the tails of the open chunks: the tails of two dozen drives fit a page or two, which a pass
 * rewrites instead of a page per drive. A tail is folded into its chunk's row once it would
 * hold more than this: at 3 bytes for a sample that changed nothing, every 40 or so. A chunk
 * is opened with an empty tail, and its tail says whose it is (name and drive) for as long
 * as the chunk is the newest under its name: a gate reads every drive's newest sample from the
 * tails, in one read of a page or two (tails_load), not in a query per drive.
 */
#define TAIL_MAX 128
/*
 * A sample that reads exactly as the one before it is not written into its tail at once: the
 * pass's own row, which a pass writes anyway, lists the chunks it saw unchanged (pass.seen),
 * and a pass in which nothing changed writes that one page. The chunk's next written sample
 * brings the repeats into its tail, as they would have been written. So that every reader
 * finds a chunk's repeats among a few passes' rows, they wait at most this many passes after
 * the tail's last one: the next sample after that is written, changed or not.
 */
#define DEFER_PASSES 48
/* The list of one pass: a varint per chunk (the change of id from the one before it, zigzag). */
#define SEEN_MAX 1024
#define BUSY_TIMEOUT_MS 10000
/*
 * The log is copied into the file once it holds this many bytes of pages, by the writer whose
 * commit took it there. No one checkpoints when closing: the next process to open the history
 * reads the log back, instead of every short-lived process paying two syncs and a rewrite of
 * the file's pages for the few pages it wrote. Reading it back is not free: a process that
 * opens the history alone reads and checks every frame of the log, a system call and some
 * 2,750 instructions for a page of 2 KiB (about 3.5 microseconds on the benchmarks' machine).
 * Since a pass where nothing changed writes one page (DEFER_PASSES), a log of 512 KiB took a
 * hundred passes to fill, and every process in between, gates included, read back half of it:
 * some 0.45 ms, a fifth of what `weargate --version` takes, and gates with no writer between
 * them twice that (WAL_GATE_CHECKPOINT_BYTES). At 128 KiB a process reads back 31 pages on
 * average; passes checkpoint once in about 21 (14 times in the write-budget
 * benchmark's 300 passes, against 3 at 512 KiB), and write a fifth more in all, checkpoints
 * included (8,511 bytes a pass on average, against 6,981), within their budgets. Counted in
 * bytes, not pages: a history's page size is set when it is made (HISTORY_PAGE_SIZE), and
 * older ones keep theirs.
 */
#define WAL_CHECKPOINT_BYTES (128 * 1024)
/*
 * A hook's gate leaves the checkpoint to the writers (store_set_checkpoints), unless the log
 * has grown to this: gates alone, no writer for a long while, and every gate reading it back.
 */
#define WAL_GATE_CHECKPOINT_BYTES (2 * WAL_CHECKPOINT_BYTES)

/*
 * Migrations, applied in order on open; entry i takes the schema from version i to i + 1.
 * Never edit a released entry: add one.
 */
static const char *const migrations[] = {
	/* 1: drives by identity, sampling passes, samples in per-drive chunks */
	"CREATE TABLE drive ("
	"  id INTEGER PRIMARY KEY,"
	"  model TEXT NOT NULL,"
	"  serial TEXT NOT NULL,"
	/* a drive that has not told who it is yet: the configured name it was read under */
	"  placeholder TEXT,"
	"  first_seen INTEGER NOT NULL"
	");"
	"CREATE UNIQUE INDEX drive_identity ON drive(model, serial) WHERE placeholder IS NULL;"
	"CREATE UNIQUE INDEX drive_placeholder ON drive(placeholder) WHERE placeholder IS NOT NULL;"
	"CREATE TABLE pass ("
	"  id INTEGER PRIMARY KEY,"
	"  t INTEGER NOT NULL"
	");"
	"CREATE TABLE chunk ("
	"  id INTEGER PRIMARY KEY,"
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	"  name TEXT NOT NULL,"
	"  first_pass INTEGER NOT NULL,"
	"  last_pass INTEGER NOT NULL,"
	"  t0 INTEGER NOT NULL,"
	"  t1 INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  data BLOB NOT NULL"
	");"
	"CREATE INDEX chunk_drive ON chunk(drive_id, first_pass);"
	"CREATE INDEX chunk_name ON chunk(name);",
	/* 2: job runs and what they did to each drive; gate decisions */
	"CREATE TABLE job_run ("
	"  id INTEGER PRIMARY KEY,"
	"  job TEXT NOT NULL,"
	"  class TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	/* NULL while it runs, and for a run whose runner died: the next runner marks it interrupted */
	"  ended INTEGER,"
	"  outcome TEXT,"
	"  exit_status INTEGER,"
	"  reason TEXT"
	");"
	"CREATE TABLE job_run_drive ("
	"  run_id INTEGER NOT NULL REFERENCES job_run(id),"
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	"  sectors_read INTEGER,"
	"  sectors_written INTEGER,"
	"  pass_before INTEGER,"
	"  pass_after INTEGER,"
	"  PRIMARY KEY (run_id, drive_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX job_run_drive_by_drive ON job_run_drive(drive_id, run_id);"
	"CREATE TABLE decision ("
	"  id INTEGER PRIMARY KEY,"
	"  t INTEGER NOT NULL,"
	"  job TEXT NOT NULL,"
	"  verdict TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	/* "sda=degrading sdb=ok": the state of each drive the decision looked at */
	"  states TEXT NOT NULL"
	");"
	"CREATE INDEX decision_by_job ON decision(job, t);"
	"CREATE INDEX chunk_time ON chunk(drive_id, t0);",
	/* 3: what the runner adds to a job run; drive state changes (no longer written since 5: see episode) */
	"ALTER TABLE job_run ADD COLUMN verdict TEXT;"
	"ALTER TABLE job_run ADD COLUMN output TEXT;"
	"CREATE TABLE drive_event ("
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	"  t INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  reason TEXT NOT NULL"
	");"
	"CREATE INDEX drive_event_by_drive ON drive_event(drive_id, t);",
	/*
	 * 4: a run's media counters before and after, as the samples say, so that listing runs is
	 * a query and not a decode of two chunks per drive; backfilled from the samples
	 */
	"ALTER TABLE job_run_drive ADD COLUMN reallocated_before INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN pending_before INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN offline_uncorrectable_before INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN reallocated_after INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN pending_after INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN offline_uncorrectable_after INTEGER;",
	/*
	 * 5: the sign log (every change of what the health model judges a drive by) and the
	 * episodes (each state a drive entered, and when), so that a state and its start are read,
	 * not found again in the samples; what they were recorded under. The weargate that
	 * migrates records them from the samples it holds (meta 'episodes' says it must).
	 */
	"CREATE TABLE sign_change ("
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	/* an attribute id for a media counter, 256 and up for the others (health.c) */
	"  sign INTEGER NOT NULL,"
	/* the sample that first showed the new value, and the usable one before it */
	"  t INTEGER NOT NULL,"
	"  t_prev INTEGER,"
	"  from_value INTEGER,"
	"  to_value INTEGER NOT NULL"
	");"
	"CREATE INDEX sign_change_by_sign ON sign_change(drive_id, sign);"
	"CREATE INDEX sign_change_by_time ON sign_change(drive_id, t);"
	"CREATE TABLE episode ("
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	"  start INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  sign TEXT NOT NULL,"
	/* the notify command has heard of it (or there was none to tell) */
	"  notified INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX episode_by_drive ON episode(drive_id);"
	"CREATE INDEX episode_untold ON episode(notified) WHERE notified = 0;"
	/*
	 * Each drive's newest change of every sign and its newest episode, as recorded: a gate
	 * reads one row for them, not a seek per sign (the two tables above stay the record).
	 */
	"CREATE TABLE drive_head ("
	"  drive_id INTEGER PRIMARY KEY REFERENCES drive(id),"
	"  signs BLOB,"
	"  episode INTEGER"
	");"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO meta SELECT 'episodes', 'rebuild' WHERE EXISTS (SELECT 1 FROM chunk);"
	/* a pass stamped before the one recorded before it: the clock went back */
	"CREATE TABLE clock_step ("
	"  t INTEGER NOT NULL,"
	"  back_from INTEGER NOT NULL"
	");"
	"INSERT INTO clock_step SELECT p.t, (SELECT max(q.t) FROM pass q WHERE q.id < p.id) AS m FROM pass p "
	"WHERE p.t < (SELECT max(q.t) FROM pass q WHERE q.id < p.id);"
	/* what a gate needs of a chunk's newest sample, kept with the row that is written anyway */
	"ALTER TABLE chunk ADD COLUMN last_status INTEGER;"
	"ALTER TABLE chunk ADD COLUMN last_temperature INTEGER;"
	"ALTER TABLE chunk ADD COLUMN last_self_test INTEGER;"
	/*
	 * A run's times and whether it was a good backup, with each of its drives: a drive's last
	 * heavy job and last backup are then an index seek each, not a walk of all its runs.
	 */
	"ALTER TABLE job_run_drive ADD COLUMN started INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN ended INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN backup_ok INTEGER NOT NULL DEFAULT 0;"
	"UPDATE job_run_drive SET started = (SELECT started FROM job_run r WHERE r.id = run_id), "
	"  ended = (SELECT ended FROM job_run r WHERE r.id = run_id), "
	"  backup_ok = (SELECT class = 'backup' AND outcome = 'success' FROM job_run r WHERE r.id = run_id);"
	"CREATE INDEX job_run_drive_ended ON job_run_drive(drive_id, ended);"
	"CREATE INDEX job_run_drive_open ON job_run_drive(drive_id, started) WHERE ended IS NULL;"
	"CREATE INDEX job_run_drive_backup ON job_run_drive(drive_id, started) WHERE backup_ok = 1;",
	/*
	 * 6: the kernel's word on a drive: I/O and ATA error lines of its log that name the drive
	 * (its disk, a partition, a device stacked on it), with the job run they were seen during
	 */
	"CREATE TABLE kernel_error ("
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	"  t INTEGER NOT NULL,"
	"  run_id INTEGER REFERENCES job_run(id),"
	"  line TEXT NOT NULL"
	");"
	"CREATE INDEX kernel_error_by_drive ON kernel_error(drive_id, t);"
	"CREATE INDEX kernel_error_by_run ON kernel_error(run_id) WHERE run_id IS NOT NULL;",
	/*
	 * 7: the drive database entry each drive matched, per firmware, and the database it was
	 * matched in: readings are decoded with it when read back, and the gate never reads the file
	 */
	"CREATE TABLE drive_match ("
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	"  firmware TEXT NOT NULL,"
	/* version and hash of the database; '' for smartctl's built-in defaults */
	"  stamp TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  family TEXT NOT NULL,"
	"  warning TEXT NOT NULL,"
	"  defaults TEXT NOT NULL,"
	"  presets TEXT NOT NULL,"
	"  t INTEGER NOT NULL,"
	"  PRIMARY KEY (drive_id, firmware)"
	") WITHOUT ROWID;",
	/*
	 * 8: runs recorded by a backup tool's hooks (gate --record, done) beside the runner's: who
	 * recorded a run, when an unreported end is given up on, and each drive's I/O counters at
	 * the start, which the process that reports the end has to subtract
	 */
	"ALTER TABLE job_run ADD COLUMN origin TEXT NOT NULL DEFAULT 'runner';"
	"ALTER TABLE job_run ADD COLUMN expires INTEGER;"
	/* the session (and process group) a runner's job runs in: a gate inside it is part of the run */
	"ALTER TABLE job_run ADD COLUMN session INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN io_read0 INTEGER;"
	"ALTER TABLE job_run_drive ADD COLUMN io_written0 INTEGER;"
	"CREATE INDEX job_run_open ON job_run(origin, job) WHERE ended IS NULL;"
	"CREATE INDEX job_run_by_job ON job_run(job, id);",
	/*
	 * 9: the SMART self-tests weargate ran, per job run and drive: which test, how it ended
	 * (passed, failed, aborted, interrupted, unknown, not started; NULL while it runs), the
	 * self-test execution status byte last read, and why in words
	 */
	"CREATE TABLE self_test ("
	"  run_id INTEGER NOT NULL REFERENCES job_run(id),"
	"  drive_id INTEGER NOT NULL REFERENCES drive(id),"
	"  test TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  ended INTEGER,"
	"  result TEXT,"
	"  status INTEGER,"
	"  detail TEXT,"
	"  PRIMARY KEY (run_id, drive_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX self_test_by_drive ON self_test(drive_id, started);",
	/*
	 * 10: a gate's decision is one page written, not two: no query reads decisions by job (they
	 * are read by time), and the index by job was a second page of every decision's commit
	 */
	"DROP INDEX IF EXISTS decision_by_job;"
	/*
	 * and a pass writes a page or two, not one per drive: the newest samples of a chunk are
	 * kept in its tail, a small row beside the tails of the other drives' open chunks, and
	 * folded into the chunk's own row once the tail holds TAIL_MAX bytes
	 */
	"CREATE TABLE chunk_tail ("
	"  chunk_id INTEGER PRIMARY KEY,"
	"  last_pass INTEGER NOT NULL,"
	"  t1 INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  last_status INTEGER,"
	"  last_temperature INTEGER,"
	"  last_self_test INTEGER"
	");",
	/*
	 * 11: a drive's job facts in its head row, which a gate reads anyway: the end of its last
	 * heavy job and the start of its last good backup, and the latest time any of its runs
	 * was stamped with (the facts answer for a now at or after it; before it, the runs are
	 * asked). The drive state changes that 5 stopped writing go.
	 */
	"ALTER TABLE drive_head ADD COLUMN jobs_stamp INTEGER;"
	"ALTER TABLE drive_head ADD COLUMN heavy_end INTEGER;"
	"ALTER TABLE drive_head ADD COLUMN backup_ok INTEGER;"
	"INSERT INTO drive_head(drive_id, jobs_stamp, heavy_end, backup_ok) SELECT id, -1, -1, -1 FROM drive WHERE true "
	"ON CONFLICT(drive_id) DO UPDATE SET jobs_stamp = -1, heavy_end = -1, backup_ok = -1;"
	"UPDATE drive_head SET (jobs_stamp, heavy_end, backup_ok) = (SELECT "
	"max(max(coalesce(started, -1)), coalesce(max(ended), -1)), "
	"coalesce(max(CASE WHEN started IS NOT NULL THEN coalesce(ended, started) END), -1), "
	"coalesce(max(CASE WHEN backup_ok = 1 THEN started END), -1) "
	"FROM job_run_drive r WHERE r.drive_id = drive_head.drive_id) "
	"WHERE drive_id IN (SELECT drive_id FROM job_run_drive);"
	"DROP TABLE IF EXISTS drive_event;",
	/*
	 * 12: a gate finds a drive's newest chunk and its newest time in the indexes alone when the
	 * chunk has a tail (as an open one has): the start time, and for the name the drive, are in
	 * the index entries, and the chunk's own row is read only for what its tail does not say
	 */
	"DROP INDEX chunk_drive;"
	"CREATE INDEX chunk_drive ON chunk(drive_id, first_pass, t0);"
	"DROP INDEX chunk_name;"
	"CREATE INDEX chunk_name ON chunk(name, id, t0, drive_id);",
	/*
	 * 13: the chunks a pass read unchanged and did not write, in the pass's own row (see
	 * DEFER_PASSES); a pass of a history before 13 has none
	 */
	"ALTER TABLE pass ADD COLUMN seen BLOB;",
	/*
	 * 14: an open chunk's tail says whose it is, the name and drive of its chunk, so that a gate
	 * reads every drive's newest sample from the tails alone (tails_load). A tail keeps the name
	 * only while its chunk is the newest under that name.
	 */
	"ALTER TABLE chunk_tail ADD COLUMN name TEXT;"
	"ALTER TABLE chunk_tail ADD COLUMN drive_id INTEGER;"
	"UPDATE chunk_tail SET (name, drive_id) = "
	"(SELECT c.name, c.drive_id FROM chunk c WHERE c.id = chunk_tail.chunk_id);"
	"UPDATE chunk_tail SET name = NULL "
	"WHERE chunk_id IS NOT (SELECT max(c.id) FROM chunk c WHERE c.name = chunk_tail.name);",
};

enum stmt {
	ST_PASS_INSERT,
	ST_DRIVE_BY_IDENTITY,
	ST_DRIVE_BY_PLACEHOLDER,
	ST_DRIVE_INSERT,
	ST_CHUNK_LAST_OF_DRIVE,
	ST_CHUNK_LAST_OF_NAME,
	ST_CHUNK_INSERT,
	ST_CHUNK_UPDATE,
	ST_TAIL_PUT,
	ST_TAIL_DELETE,
	ST_TAIL_FOLD,
	ST_CHUNK_OF_PASS,
	ST_CHUNKS_IN_RANGE,
	ST_LAST_PASS,
	ST_PASS_SEEN,
	ST_PASS_SEEN_SET,
	ST_TAIL_PASS,
	ST_TAIL_UNNAME,
	ST_TAILS,
	ST_RUN_INSERT,
	ST_RUN_DRIVE_INSERT,
	ST_RUN_END,
	ST_LAST_JOBS,
	ST_DECISION_INSERT,
	ST_RUN_DRIVE_SET,
	ST_RUNS_INTERRUPTED,
	ST_RUN_DRIVES_END,
	ST_RUN_DRIVES_INTERRUPTED,
	ST_RUN_DRIVES,
	ST_DRIVE_NAME,
	ST_RUN_DRIVE_COUNTS,
	ST_RUN_DRIVES_UNCOUNTED,
	ST_CHUNK_LAST_OF_DRIVE_UPTO,
	ST_CHUNK_LAST_OF_NAME_UPTO,
	ST_CHUNK_BRIEF_OF_NAME_UPTO,
	ST_CHUNK_TIME_OF_DRIVE_UPTO,
	ST_SIGN_INSERT,
	ST_SIGN_CURRENT,
	ST_HEAD_GET,
	ST_HEAD_SIGNS,
	ST_HEAD_EPISODE,
	ST_HEAD_JOBS,
	ST_JOBS_STAMP,
	ST_SIGNS_AFTER,
	ST_EPISODE_INSERT,
	ST_EPISODE_CURRENT,
	ST_EPISODE_NOTIFIED,
	ST_META_GET,
	ST_META_SET,
	ST_CLOCK_STEP_INSERT,
	ST_KERNEL_ERROR_INSERT,
	ST_KERNEL_ERROR_LATEST,
	ST_MATCH_GET,
	ST_MATCH_DEFS,
	ST_MATCH_PUT,
	_ST_MAX,
};

/*
 * A chunk is its row and its tail, when it has one: the tail's records follow the row's, and
 * its last pass, time and brief are the chunk's.
 */
#define CHUNK_TAIL "LEFT JOIN chunk_tail x ON x.chunk_id = c.id"
#define CHUNK_LAST_PASS "coalesce(x.last_pass, c.last_pass)"
#define CHUNK_T1 "coalesce(x.t1, c.t1)"
/* A drive's head row h, as head_read() reads it, with its newest episode e */
#define HEAD_COLS "h.signs, h.episode, e.start, e.state, e.sign, e.notified, h.jobs_stamp, h.heavy_end, h.backup_ok"
#define HEAD_EPISODE "LEFT JOIN episode e ON e.rowid = h.episode"
/* and, for a writer, the tail's brief */
#define TAIL_BRIEF "x.last_status, x.last_temperature, x.last_self_test"
#define CHUNK_COLS "c.id, c.drive_id, c.name, c.first_pass, c.t0, c.data, " CHUNK_LAST_PASS ", " CHUNK_T1 ", x.data, coalesce(x.n, 0)"

static const char *const stmt_sql[_ST_MAX] = {
	/* above every pass, and above 0: imported passes are numbered below it (store_import_sample) */
	[ST_PASS_INSERT] = "INSERT INTO pass(id, t) VALUES((SELECT max(coalesce(max(id), 0), 0) + 1 FROM pass), ?)",
	[ST_DRIVE_BY_IDENTITY] = "SELECT id FROM drive WHERE model = ? AND serial = ? AND placeholder IS NULL",
	[ST_DRIVE_BY_PLACEHOLDER] = "SELECT id FROM drive WHERE placeholder = ?",
	[ST_DRIVE_INSERT] = "INSERT INTO drive(model, serial, placeholder, first_seen) VALUES(?, ?, ?, ?)",
	/*
	 * A drive's chunks are in the order of their first pass, as of their ids: asked by first
	 * pass, the newest is one seek in chunk_drive instead of a sort of all of them.
	 */
	[ST_CHUNK_LAST_OF_DRIVE] = "SELECT " CHUNK_COLS ", " TAIL_BRIEF " FROM chunk c INDEXED BY chunk_drive " CHUNK_TAIL
				   " WHERE c.drive_id = ? ORDER BY c.first_pass DESC LIMIT 1",
	[ST_CHUNK_LAST_OF_NAME] = "SELECT " CHUNK_COLS " FROM chunk c " CHUNK_TAIL
				  " WHERE c.name = ? ORDER BY c.id DESC LIMIT 1",
	/* above every chunk, and above 0: imported chunks are numbered below it (store_import_sample) */
	[ST_CHUNK_INSERT] = "INSERT INTO chunk(id, drive_id, name, first_pass, last_pass, t0, t1, n, data, last_status, "
			    "last_temperature, last_self_test) VALUES((SELECT max(coalesce(max(id), 0), 0) + 1 FROM chunk), "
			    "?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
	[ST_CHUNK_UPDATE] = "UPDATE chunk SET last_pass = ?, t1 = ?, n = n + ?, data = ?, last_status = ?, "
			    "last_temperature = ?, last_self_test = ? WHERE id = ?",
	/*
	 * a chunk closed: its tail's records and the tail's brief into its row, with the last pass,
	 * time and count of the records (which end with the repeats the tail has not taken yet)
	 */
	[ST_TAIL_FOLD] = "UPDATE chunk SET data = ?2, last_pass = ?3, t1 = ?4, n = chunk.n + ?5, "
			 "last_status = t.last_status, last_temperature = t.last_temperature, "
			 "last_self_test = t.last_self_test FROM (SELECT * FROM chunk_tail WHERE chunk_id = ?1) AS t "
			 "WHERE chunk.id = ?1",
	[ST_TAIL_PUT] = "INSERT OR REPLACE INTO chunk_tail(last_pass, t1, n, data, last_status, last_temperature, "
			"last_self_test, chunk_id, name, drive_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_TAIL_DELETE] = "DELETE FROM chunk_tail WHERE chunk_id = ?",
	[ST_CHUNK_TIME_OF_DRIVE_UPTO] = "SELECT " CHUNK_LAST_PASS ", " CHUNK_T1 ", c.id, x.chunk_id IS NOT NULL "
					"FROM chunk c INDEXED BY chunk_drive "
					CHUNK_TAIL " WHERE c.drive_id = ?1 AND c.t0 <= ?2 AND c.first_pass < ?3 "
					"ORDER BY c.first_pass DESC LIMIT 1",
	/*
	 * A name's brief that the tails do not give (tails_brief), in a query of its own: the
	 * tail's brief when there is one, even a temperature it does not know; with what a gate
	 * reads next of the drive: which chunk is its newest under any name (as
	 * ST_CHUNK_TIME_OF_DRIVE_UPTO orders them) and its head. A chunk with a tail is open, and
	 * only a drive's newest chunk is (chunk_append closes the one before when it starts one):
	 * the index is looked in for a closed chunk only.
	 */
	[ST_CHUNK_BRIEF_OF_NAME_UPTO] = "SELECT c.drive_id, " CHUNK_LAST_PASS ", " CHUNK_T1 ", "
					"CASE WHEN x.chunk_id IS NULL THEN c.last_status ELSE x.last_status END, "
					"CASE WHEN x.chunk_id IS NULL THEN c.last_temperature ELSE x.last_temperature END, "
					"CASE WHEN x.chunk_id IS NULL THEN c.last_self_test ELSE x.last_self_test END, "
					"CASE WHEN x.chunk_id IS NOT NULL THEN c.id ELSE (SELECT dc.id FROM chunk dc "
					"INDEXED BY chunk_drive WHERE dc.drive_id = c.drive_id AND dc.t0 <= ?2 "
					"ORDER BY dc.first_pass DESC LIMIT 1) END, "
					"h.drive_id IS NOT NULL, " HEAD_COLS ", c.id, x.chunk_id IS NOT NULL FROM chunk c "
					CHUNK_TAIL
					" LEFT JOIN drive_head h ON h.drive_id = c.drive_id " HEAD_EPISODE
					" WHERE c.name = ?1 AND c.t0 <= ?2 ORDER BY c.id DESC LIMIT 1",
	/* a chunk with a tail may end later than the tail says, in repeats not taken yet (DEFER_PASSES) */
	[ST_CHUNK_OF_PASS] = "SELECT " CHUNK_COLS " FROM chunk c " CHUNK_TAIL " WHERE c.drive_id = ?1 AND "
			     "c.first_pass <= ?2 AND (x.chunk_id IS NOT NULL OR c.last_pass >= ?2) "
			     "ORDER BY c.first_pass DESC LIMIT 1",
	[ST_CHUNKS_IN_RANGE] = "SELECT " CHUNK_COLS " FROM chunk c INDEXED BY chunk_time " CHUNK_TAIL
			       " WHERE c.drive_id = ?1 AND c.t0 BETWEEN ?2 - " WG_STRINGIFY(CHUNK_MAX_SPAN) " AND ?3 AND "
			       "(x.chunk_id IS NOT NULL OR c.t1 >= ?2) ORDER BY c.first_pass",
	[ST_LAST_PASS] = "SELECT id, t FROM pass ORDER BY id DESC LIMIT 1",
	[ST_PASS_SEEN] = "SELECT id, t, seen FROM pass WHERE id > ?1 AND id <= ?2",
	[ST_PASS_SEEN_SET] = "UPDATE pass SET seen = ?2 WHERE id = ?1",
	[ST_TAIL_PASS] = "SELECT last_pass FROM chunk_tail WHERE chunk_id = ?",
	/* a chunk under the name was started: an open one of another drive is no longer the name's newest */
	[ST_TAIL_UNNAME] = "UPDATE chunk_tail SET name = NULL WHERE name = ?",
	[ST_TAILS] = "SELECT chunk_id, name, drive_id, last_pass, t1, last_status, last_temperature, last_self_test "
		     "FROM chunk_tail WHERE name IS NOT NULL",
	[ST_RUN_INSERT] = "INSERT INTO job_run(job, class, started, verdict) VALUES(?, ?, ?, ?)",
	[ST_RUN_DRIVE_INSERT] = "INSERT INTO job_run_drive(run_id, drive_id, started) VALUES(?, ?, ?)",
	[ST_RUN_END] = "UPDATE job_run SET ended = ?, outcome = ?, exit_status = ?, reason = ?, output = ? WHERE id = ?",
	/*
	 * What a clock set ahead stamped is not counted: a run that started later than now never
	 * ran as far as now knows, and one that ended later than now ended, as far as now knows,
	 * when it started.
	 */
	/*
	 * A drive's last heavy job's end and last good backup's start: an index seek each.
	 * (max() of several is NULL when one is: each part is -1 when it has none, and so is all.)
	 */
	[ST_LAST_JOBS] = "SELECT max(coalesce((SELECT max(ended) FROM job_run_drive INDEXED BY job_run_drive_ended "
			 "WHERE drive_id = ?1 AND ended <= ?2 AND started <= ?2), -1), "
			 "coalesce((SELECT max(started) FROM job_run_drive INDEXED BY job_run_drive_open "
			 "WHERE drive_id = ?1 AND ended IS NULL AND started <= ?2), -1), "
			 "coalesce((SELECT max(started) FROM job_run_drive INDEXED BY job_run_drive_ended "
			 "WHERE drive_id = ?1 AND ended > ?2 AND started <= ?2), -1)), "
			 "coalesce((SELECT max(started) FROM job_run_drive INDEXED BY job_run_drive_backup "
			 "WHERE drive_id = ?1 AND backup_ok = 1 AND started <= ?2), -1)",
	[ST_DECISION_INSERT] = "INSERT INTO decision(t, job, verdict, reason, states) VALUES(?, ?, ?, ?, ?)",
	[ST_RUN_DRIVE_SET] = "UPDATE job_run_drive SET sectors_read = ?, sectors_written = ?, pass_before = ?, "
			     "pass_after = ? WHERE run_id = ? AND drive_id = ?",
	[ST_RUN_DRIVES_END] = "UPDATE job_run_drive SET ended = ?1, backup_ok = (SELECT class = 'backup' AND "
			      "outcome = 'success' FROM job_run WHERE id = ?2) WHERE run_id = ?2 RETURNING drive_id",
	/* only the runner's own: a run a hook recorded has no runner, and waits for its end (or its expiry) */
	[ST_RUN_DRIVES_INTERRUPTED] = "UPDATE job_run_drive SET ended = ?1 WHERE ended IS NULL AND run_id IN "
				      "(SELECT id FROM job_run WHERE ended IS NULL AND origin = 'runner') RETURNING drive_id",
	[ST_RUNS_INTERRUPTED] = "UPDATE job_run SET ended = ?, outcome = 'interrupted', "
				"reason = 'its runner ended before it did' WHERE ended IS NULL AND origin = 'runner'",
	[ST_RUN_DRIVES] = "SELECT drive_id, coalesce(sectors_read, -1), coalesce(sectors_written, -1), "
			  "coalesce(pass_before, -1), coalesce(pass_after, -1), "
			  "coalesce(reallocated_before, -1), coalesce(pending_before, -1), "
			  "coalesce(offline_uncorrectable_before, -1), coalesce(reallocated_after, -1), "
			  "coalesce(pending_after, -1), coalesce(offline_uncorrectable_after, -1) "
			  "FROM job_run_drive WHERE run_id = ? ORDER BY drive_id",
	[ST_DRIVE_NAME] = "SELECT name FROM chunk INDEXED BY chunk_drive WHERE drive_id = ? ORDER BY first_pass DESC "
			  "LIMIT 1",
	[ST_RUN_DRIVE_COUNTS] = "UPDATE job_run_drive SET reallocated_before = ?, pending_before = ?, "
				"offline_uncorrectable_before = ?, reallocated_after = ?, pending_after = ?, "
				"offline_uncorrectable_after = ? WHERE run_id = ? AND drive_id = ?",
	[ST_RUN_DRIVES_UNCOUNTED] = "SELECT run_id, drive_id, coalesce(pass_before, -1), coalesce(pass_after, -1) "
				    "FROM job_run_drive WHERE pass_before IS NOT NULL OR pass_after IS NOT NULL",
	/*
	 * Up to a time: what a clock set ahead stamped later is passed over. Chunks are started
	 * anew when the clock goes back, so the newest one that starts in time is the one to read.
	 */
	[ST_CHUNK_LAST_OF_DRIVE_UPTO] = "SELECT " CHUNK_COLS " FROM chunk c INDEXED BY chunk_drive " CHUNK_TAIL
					" WHERE c.drive_id = ?1 AND c.t0 <= ?2 AND c.first_pass < ?3 "
					"ORDER BY c.first_pass DESC LIMIT 1",
	[ST_CHUNK_LAST_OF_NAME_UPTO] = "SELECT " CHUNK_COLS " FROM chunk c " CHUNK_TAIL
				       " WHERE c.name = ?1 AND c.t0 <= ?2 ORDER BY c.id DESC LIMIT 1",
	[ST_SIGN_INSERT] = "INSERT INTO sign_change(drive_id, sign, t, t_prev, from_value, to_value) "
			   "VALUES(?, ?, ?, ?, ?, ?)",
	/* the newest as recorded: after the clock went back, that is not the one with the largest t */
	[ST_SIGN_CURRENT] = "SELECT t, coalesce(t_prev, -1), coalesce(from_value, -1), to_value FROM sign_change "
			    "INDEXED BY sign_change_by_sign WHERE drive_id = ?1 AND sign = ?2 AND t <= ?3 "
			    "ORDER BY rowid DESC LIMIT 1",
	/* with the newest episode's row: one step reads all a gate needs of the drive but its samples */
	[ST_HEAD_GET] = "SELECT " HEAD_COLS " FROM drive_head h " HEAD_EPISODE " WHERE h.drive_id = ?",
	[ST_HEAD_SIGNS] = "INSERT INTO drive_head(drive_id, signs) VALUES(?1, ?2) "
			  "ON CONFLICT(drive_id) DO UPDATE SET signs = ?2",
	[ST_HEAD_EPISODE] = "INSERT INTO drive_head(drive_id, episode) VALUES(?1, ?2) "
			    "ON CONFLICT(drive_id) DO UPDATE SET episode = ?2",
	[ST_HEAD_JOBS] = "INSERT INTO drive_head(drive_id, jobs_stamp, heavy_end, backup_ok) VALUES(?1, ?2, ?3, ?4) "
			 "ON CONFLICT(drive_id) DO UPDATE SET jobs_stamp = ?2, heavy_end = ?3, backup_ok = ?4",
	/* every stamp of the drive's runs: only when the head has lost it */
	[ST_JOBS_STAMP] = "SELECT max(max(coalesce(started, -1)), coalesce(max(ended), -1)) FROM job_run_drive "
			  "WHERE drive_id = ?",
	[ST_SIGNS_AFTER] = "SELECT sign, t, coalesce(t_prev, -1), coalesce(from_value, -1), to_value FROM sign_change "
			   "INDEXED BY sign_change_by_time WHERE drive_id = ?1 AND t > ?2 AND t <= ?3 AND sign < ?4 "
			   "ORDER BY rowid",
	[ST_EPISODE_INSERT] = "INSERT INTO episode(drive_id, start, state, sign, notified) VALUES(?, ?, ?, ?, ?)",
	[ST_EPISODE_CURRENT] = "SELECT rowid, start, state, sign, notified FROM episode WHERE drive_id = ?1 "
			       "AND start <= ?2 ORDER BY rowid DESC LIMIT 1",
	[ST_EPISODE_NOTIFIED] = "UPDATE episode SET notified = 1 WHERE rowid = ?",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?",
	[ST_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
	[ST_CLOCK_STEP_INSERT] = "INSERT INTO clock_step(t, back_from) VALUES(?, ?)",
	[ST_KERNEL_ERROR_INSERT] = "INSERT INTO kernel_error(drive_id, t, run_id, line) VALUES(?, ?, ?, ?)",
	[ST_KERNEL_ERROR_LATEST] = "SELECT t, coalesce(run_id, -1), line FROM kernel_error WHERE drive_id = ? "
				   "ORDER BY t DESC, rowid DESC LIMIT 1",
	[ST_MATCH_GET] = "SELECT stamp, source, family, warning, defaults, presets FROM drive_match "
			 "WHERE drive_id = ? AND firmware = ?",
	[ST_MATCH_DEFS] = "SELECT stamp, defaults, presets FROM drive_match WHERE drive_id = ? AND firmware = ?",
	[ST_MATCH_PUT] = "INSERT OR REPLACE INTO drive_match(drive_id, firmware, stamp, source, family, warning, defaults, "
			 "presets, t) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

/* The definitions of a drive's firmware, found once per process. */
struct defs_cached {
	int64_t drive_id;
	char firmware[9];
	const struct attr_defs *defs; /* NULL: smartctl's defaults */
};

/*
 * A drive's head: each sign's newest change as recorded, records of a 32-bit code and four
 * 64-bit numbers (t, t_prev, from, to), little-endian; its newest episode; and its job facts.
 */
#define HEAD_RECORD 36
#define HEAD_SIGNS_MAX 64

struct head {
	int64_t drive;
	bool found; /* the signs are recorded in it: a sign it lacks the drive never had */
	int64_t episode; /* -1: none */
	bool have_episode;
	struct store_episode e;
	/*
	 * The end of the last heavy job and the start of the last good backup, counting every run;
	 * which is the answer for any now at or after jobs_stamp, the latest time a run of the
	 * drive was stamped with. jobs_stamp < -1: not known (the runs are asked).
	 */
	int64_t jobs_stamp, heavy_end, backup_ok;
	size_t n;
	struct store_sign signs[HEAD_SIGNS_MAX]; /* last: a copy takes the n in use (head_copy) */
};

/* A head's copy: what is in use of it, not the room for signs a drive seldom has. */
static void head_copy(struct head *dst, const struct head *src)
{
	memcpy(dst, src, offsetof(struct head, signs) + src->n * sizeof(src->signs[0]));
}

/* meta as last read or written by this connection */
struct meta_cache {
	char key[32];
	char value[256];
	bool found;
};

/* The next chunk of a pass's list: false at its end, or where it is damaged (the rest is lost). */
static bool seen_list_next(const uint8_t *p, size_t len, size_t *off, int64_t *chunk)
{
	int64_t d;

	if (*off >= len || frame_get_svarint(p, len, off, &d) < 0)
		return false;
	*chunk = (int64_t)((uint64_t)*chunk + (uint64_t)d);
	return true;
}

/* Add a chunk to a pass's list, after last (the list's last chunk, 0 before the first). */
static size_t seen_list_put(uint8_t *p, int64_t *last, int64_t chunk)
{
	size_t n = frame_put_svarint(p, (int64_t)((uint64_t)chunk - (uint64_t)*last));

	*last = chunk;
	return n;
}

/* A chunk a pass read unchanged and did not write (DEFER_PASSES): the pass, its time, the chunk. */
struct seen_entry {
	int64_t pass, t, chunk;
};

/* What a gate needs of a sample without decoding it, as a chunk's row keeps it for its newest. */
struct brief {
	int status;
	int64_t temperature_c; /* ATTR_UNKNOWN */
	int self_test;         /* -1 unknown */
};

/* What a gate reads of an open chunk, from its tail (ST_TAILS): the newest sample under name. */
struct tail_brief {
	int64_t chunk, drive, pass, t1;
	struct brief b; /* status -1: not kept */
	char name[STORE_NAME_MAX];
};

/* The tails as read in this transaction, while it wrote nothing (changes: sqlite3_total_changes64()). */
struct tails_cache {
	bool valid;
	int64_t changes;
	struct tail_brief *e;
	size_t n, cap;
};

/* The lists of the passes in (lo, hi], as read in this transaction. */
struct seen_cache {
	bool valid;
	int64_t lo, hi;
	struct seen_entry *e;
	size_t n, cap;
};

struct store {
	sqlite3 *db;
	char *path;
	struct head *head;   /* NULL: none kept */
	struct meta_cache meta[4];
	size_t n_meta;
	bool in_pass;
	struct import_state *import; /* an import open: what it is building */
	int64_t pass_id, pass_t;
	uint8_t seen[SEEN_MAX]; /* the open pass's list of chunks it read unchanged */
	size_t seen_len;
	bool pass_wrote; /* the open pass wrote a sample (and so pages beside its own row) */
	int64_t sweep_from; /* the oldest pass whose list it made unneeded */
	int64_t seen_last; /* the last chunk in it */
	struct seen_cache seen_cache;
	struct tails_cache tails;
	bool no_checkpoint; /* a hook's gate: leaves copying the log into the file to the writers */
	bool sync_off;      /* a decision being written, syncs off (decision_syncs) */
	bool copy_due;      /* the log came due for copying in while syncs were off */
	int page_size;      /* of the history's file, in bytes */
	sqlite3_stmt *stmts[_ST_MAX];
	struct drivedb_source *drivedb; /* borrowed; NULL: the recorded matches only */
	struct defs_cached *defs;
	size_t n_defs, cap_defs;
};

/* What this connection kept of heads and settings is forgotten when it writes them, or rolls back. */
static void caches_forget(struct store *s)
{
	if (s->head)
		s->head->drive = -1;
	s->n_meta = 0;
	s->seen_cache.valid = false;
	s->tails.valid = false;
}

/* The one place SQLite's result codes become errno values. */
static int errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EBADMSG;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

static int db_err(struct store *s, int rc, struct wg_err *err, const char *what)
{
	int r = errno_of(rc);

	/* for a failed open or I/O, the system's own reason says more than SQLite's ("disk I/O error") */
	if (((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR) && sqlite3_system_errno(s->db) > 0) {
		r = -sqlite3_system_errno(s->db);
		return wg_err_set(err, r, "'%s': %s: %s (%s)", s->path, what, sqlite3_errmsg(s->db), strerror(-r));
	}
	return wg_err_set(err, r ? r : -EIO, "'%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/*
 * A reader that may not write the log's index (an unprivileged gate) cannot repair or claim
 * anything in it: where a reader that may would, SQLite answers it SQLITE_READONLY_CANTINIT or
 * _RECOVERY at once instead of waiting. Both pass as soon as a writer moves on (a checkpoint
 * that took the read marks past this reader's view of the log, an index being rebuilt): wait
 * for that as for a lock, up to the busy timeout. True when the caller should try again.
 */
struct index_wait {
	int waited, pause; /* ms */
};

static bool index_wait(struct index_wait *w, int rc)
{
	if ((rc != SQLITE_READONLY_CANTINIT && rc != SQLITE_READONLY_RECOVERY) || w->waited >= BUSY_TIMEOUT_MS)
		return false;
	w->pause = w->pause < 1 ? 1 : w->pause < 64 ? 2 * w->pause : 64;
	sqlite3_sleep(w->pause);
	w->waited += w->pause;
	return true;
}

/* sqlite3_prepare_v3(), which reads the schema when it has to: where a read may begin. */
static int prepare(sqlite3 *db, const char *sql, unsigned flags, sqlite3_stmt **ret)
{
	struct index_wait w = { 0, 0 };
	int rc;

	while ((rc = sqlite3_prepare_v3(db, sql, -1, flags, ret, NULL)) != SQLITE_OK && index_wait(&w, rc))
		;
	return rc;
}

/* sqlite3_step(); only a statement's first step may wait so: that is where its read begins. */
static int step(sqlite3_stmt *st)
{
	struct index_wait w = { 0, 0 };
	bool first = !sqlite3_stmt_busy(st);
	int rc;

	while ((rc = sqlite3_step(st)) != SQLITE_ROW && rc != SQLITE_DONE && first && index_wait(&w, rc))
		sqlite3_reset(st);
	return rc;
}

static int stmt(struct store *s, enum stmt which, sqlite3_stmt **ret, struct wg_err *err)
{
	int rc;

	if (!s->stmts[which]) {
		rc = prepare(s->db, stmt_sql[which], SQLITE_PREPARE_PERSISTENT, &s->stmts[which]);
		if (rc != SQLITE_OK)
			return db_err(s, rc, err, "cannot prepare a query");
	}
	sqlite3_reset(s->stmts[which]);
	sqlite3_clear_bindings(s->stmts[which]);
	*ret = s->stmts[which];
	return 0;
}

static int exec(struct store *s, const char *sql, struct wg_err *err, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_err(s, rc, err, what);
}

/* The value of a pragma that answers with one integer. */
static int pragma_int(struct store *s, const char *sql, int *ret, struct wg_err *err, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	rc = prepare(s->db, sql, 0, &st);
	if (rc != SQLITE_OK)
		return db_err(s, rc, err, what);
	rc = step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_err(s, rc, err, what);
}

static int user_version(struct store *s, int *ret, struct wg_err *err)
{
	return pragma_int(s, "PRAGMA user_version", ret, err, "cannot read the schema version");
}

int store_schema_version(void)
{
	return (int)WG_ELEMENTSOF(migrations);
}

static int newer_schema(struct store *s, int version, struct wg_err *err)
{
	return wg_err_set(err, -EPROTO,
			  "'%s' has schema version %d, newer than the %d this weargate knows: use a newer weargate",
			  s->path, version, store_schema_version());
}

static int backfill_run_counts(struct store *s, struct wg_err *err);
static void copy_text(sqlite3_stmt *st, int col, char *buf, size_t len);
struct head;
static void head_read(sqlite3_stmt *st, int col, int64_t drive, bool row, struct head *ret);

/* version: as read when the history was opened */
static int migrate(struct store *s, int version, struct wg_err *err)
{
	int r;

	if (version > store_schema_version())
		return newer_schema(s, version, err);
	if (version == store_schema_version())
		return 0;
	/* Another process may be migrating too: look again once we hold the write lock. */
	caches_forget(s);
	r = exec(s, "BEGIN IMMEDIATE", err, "cannot lock for migration");
	if (r < 0)
		return r;
	r = user_version(s, &version, err);
	while (r >= 0 && version < store_schema_version()) {
		char sql[64];

		r = exec(s, migrations[version], err, "cannot migrate the schema");
		/*
		 * 4 adds the runs' counters, which only the samples (decoded here, in C) can fill: read
		 * as a chunk is read now, with its tail, of which a history before 10 has none
		 */
		if (r >= 0 && version == 3) {
			r = exec(s, "CREATE TEMP TABLE chunk_tail(chunk_id INTEGER PRIMARY KEY, last_pass, t1, n, data, "
				    "last_status, last_temperature, last_self_test)",
				 err, "cannot migrate the schema");
			if (r >= 0)
				r = backfill_run_counts(s, err);
			if (r >= 0)
				r = exec(s, "DROP TABLE temp.chunk_tail", err, "cannot migrate the schema");
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", ++version);
		if (r >= 0)
			r = exec(s, sql, err, "cannot migrate the schema");
	}
	if (r >= 0)
		r = exec(s, "COMMIT", err, "cannot commit the migration");
	if (r < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* Create the directory the database lives in, and its parents, when they are missing. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (wg_strlcpy(dir, path, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * SQLite syncs the directory after the first sync of a log it opened with leave to create it,
 * and it asks that leave whenever it may write, whether the log is there or not: one more sync
 * in every process that commits. This VFS, SQLite's default one but for that, opens a log that
 * is already there without leave to create it. A log it does create has its directory synced
 * at once, whether the process that made it ever commits or not (a reader, a gate's decision
 * that does not wait for the disk): a log that is there is one whose name the disk keeps.
 */
#define VFS_NAME "weargate"

static sqlite3_vfs shim_vfs;

static int sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, r = 0;

	if (wg_strlcpy(dir, path, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		wg_strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	sqlite3_vfs *real = vfs->pAppData;
	bool create = name && (flags & SQLITE_OPEN_WAL) && (flags & SQLITE_OPEN_CREATE);
	struct stat st;
	int rc;

	if (create && stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
		rc = real->xOpen(real, name, f, flags & ~SQLITE_OPEN_CREATE, out_flags);
		if (rc == SQLITE_OK)
			return rc;
		/* gone meanwhile: made anew, as below */
	} else if (!create) {
		return real->xOpen(real, name, f, flags, out_flags);
	}
	rc = real->xOpen(real, name, f, flags, out_flags);
	if (rc == SQLITE_OK && sync_dir_of(name) < 0) {
		f->pMethods->xClose(f);
		f->pMethods = NULL;
		rc = SQLITE_IOERR_DIR_FSYNC;
	}
	return rc;
}

/* The shim over whatever VFS is SQLite's default now (a test may have put its own there). */
static const char *vfs_name(void)
{
	sqlite3_vfs *def = sqlite3_vfs_find(NULL);

	if (!def)
		return NULL;
	if (def == &shim_vfs || def == shim_vfs.pAppData)
		return VFS_NAME;
	/* out of SQLite's list before it changes: the list runs through it */
	if (shim_vfs.zName)
		sqlite3_vfs_unregister(&shim_vfs);
	shim_vfs = *def;
	shim_vfs.pNext = NULL;
	shim_vfs.zName = VFS_NAME;
	shim_vfs.pAppData = def;
	shim_vfs.xOpen = shim_open;
	return sqlite3_vfs_register(&shim_vfs, 0) == SQLITE_OK ? VFS_NAME : NULL;
}

enum open_mode {
	OPEN_WRITE,
	OPEN_READ,
	/* read the file as it stands, without the log's index: only when no log is there */
	OPEN_READ_IMMUTABLE,
};

/* "file:" URI of path: what would end the path or start an escape is escaped itself. */
static char *uri_of(const char *path, const char *query)
{
	size_t n = strlen(path);
	char *u = malloc(5 + 3 * n + strlen(query) + 1), *p;

	if (!u)
		return NULL;
	p = u + sprintf(u, "file:");
	for (const char *c = path; *c; c++)
		p += *c == '?' || *c == '#' || *c == '%' ? sprintf(p, "%%%02X", (unsigned char)*c) : (*p = *c, 1);
	strcpy(p, query);
	return u;
}

static int store_new(const char *path, enum open_mode mode, struct store **ret, struct wg_err *err)
{
	/*
	 * A store belongs to one thread at a time, and weargate keeps no count of SQLite's memory:
	 * without the connection's lock and the memory statistics (which lock on each allocation),
	 * a gate runs a tenth fewer instructions. The statistics can be turned off only before
	 * SQLite starts; where something else started it first, they stay on.
	 */
	static const int flags[] = {
		[OPEN_WRITE] = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
		[OPEN_READ] = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
		[OPEN_READ_IMMUTABLE] = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
	};
	static bool configured;
	char *uri = NULL;
	struct store *s;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path)) || (mode == OPEN_READ_IMMUTABLE && !(uri = uri_of(path, "?immutable=1")))) {
		if (s)
			free(s->path);
		free(s);
		return wg_err_set(err, -ENOMEM, "out of memory");
	}
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = true;
	}
	rc = sqlite3_open_v2(uri ? uri : path, &s->db, flags[mode], vfs_name());
	free(uri);
	if (rc != SQLITE_OK) {
		int r = s->db ? db_err(s, rc, err, "cannot open") : wg_err_set(err, -ENOMEM, "out of memory");

		store_free(s);
		return r;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	*ret = s;
	return 0;
}

/* The first read of a file tells whether it is a database at all. */
static int not_a_database(struct store *s, int r, struct wg_err *err)
{
	if (r == -EBADMSG)
		return wg_err_set(err, r, "'%s' is not a weargate database (%s)", s->path, sqlite3_errmsg(s->db));
	return r;
}

/*
 * Copy the log into the file, then cut it back to nothing. The copy takes no lock that a writer
 * waits for; the cut takes the write lock for an instant, and only when nobody reads the log.
 */
static void wal_copy_in(sqlite3 *db, const char *name)
{
	sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	sqlite3_busy_handler(db, NULL, NULL);
	sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
}

/*
 * Replaces SQLite's autocheckpoint hook. The log is cut back to
 * nothing once copied: what a checkpoint copied is known only to the index in shared memory,
 * which the next process to open the history alone rebuilds from the log, and a log that was
 * never started over would be copied whole again at every commit. Nobody is waited for: with a
 * reader still in the log, as much as can be is copied, and the next writer tries again.
 */
static int wal_hook(void *userdata, sqlite3 *db, const char *name, int frames)
{
	struct store *s = userdata;

	if ((int64_t)frames * s->page_size < (s->no_checkpoint ? WAL_GATE_CHECKPOINT_BYTES : WAL_CHECKPOINT_BYTES))
		return SQLITE_OK;
	/*
	 * A checkpoint syncs as its connection does: with syncs off, the file's pages would be
	 * rewritten and the log cut back with nothing on the disk, and a power loss then would
	 * leave a file half old, half new, and no log to mend it. Done once syncs are back on.
	 */
	if (s->sync_off) {
		s->copy_due = true;
		return SQLITE_OK;
	}
	wal_copy_in(db, name);
	return SQLITE_OK;
}

/* Syncs off for a decision's commit, or back on, and with them any copy of the log held back meanwhile. */
static int decision_syncs(struct store *s, bool on, struct wg_err *err)
{
	int r = exec(s, on ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF", err, "cannot set durability");

	if (r < 0)
		return r;
	s->sync_off = !on;
	if (on && s->copy_due) {
		s->copy_due = false;
		wal_copy_in(s->db, "main");
	}
	return 0;
}

void store_set_checkpoints(struct store *s, bool checkpoints)
{
	s->no_checkpoint = !checkpoints;
}

int store_open(const char *path, struct store **ret, struct wg_err *err)
{
	struct store *s = NULL;
	int version, r;

	r = make_parent(path);
	if (r < 0)
		return wg_err_set(err, r, "cannot create the directory of '%s': %s", path, strerror(-r));
	r = store_new(path, OPEN_WRITE, &s, err);
	if (r < 0)
		return r;
	/*
	 * Keep the log and its index when the last writer closes: a reader that may not create
	 * files here (an unprivileged gate) can then still open the history read-only.
	 */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &(int){ 1 });
	sqlite3_wal_hook(s->db, wal_hook, s);
	/* SQLite falls back to reading a file it may not write; a writer must know now, not at its first write */
	r = 0;
	if (sqlite3_db_readonly(s->db, "main") > 0)
		r = wg_err_set(err, -EACCES, "'%s' is read-only for this user", path);
	/* a history of a newer weargate (or no database at all) is refused before anything is written to it */
	if (r >= 0)
		r = not_a_database(s, user_version(s, &version, err), err);
	/* the file may be written, but not the log and its index beside it: a read-only directory */
	if (r == -EROFS)
		r = wg_err_set(err, -EACCES, "'%s' is read-only for this user (%s)", path, sqlite3_errmsg(s->db));
	if (r >= 0 && version > store_schema_version())
		r = newer_schema(s, version, err);
	/*
	 * A new history gives back what a prune frees, a step at a time, and is made of pages of
	 * HISTORY_PAGE_SIZE (both before its first table: only then).
	 */
	if (r >= 0 && version == 0)
		r = exec(s, "PRAGMA page_size = " WG_STRINGIFY(HISTORY_PAGE_SIZE) "; PRAGMA auto_vacuum = INCREMENTAL", err,
			 "cannot set up");
	if (r >= 0)
		r = not_a_database(s, exec(s, "PRAGMA journal_mode = WAL", err, "cannot use write-ahead logging"), err);
	/*
	 * FULL: a pass that was reported committed survives a power loss, not only a crash. The
	 * kept log is cut back to 4 MiB after each checkpoint.
	 */
	if (r >= 0)
		r = exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 4194304",
			 err, "cannot set up");
	/* before the migrations, whose commits may fill the log */
	if (r >= 0)
		r = pragma_int(s, "PRAGMA page_size", &s->page_size, err, "cannot read the page size");
	if (r >= 0)
		r = migrate(s, version, err);
	if (r < 0) {
		store_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

/* No log, or one without a frame (checkpointed and cut back to nothing): the file itself holds everything. */
static bool log_empty(const char *path)
{
	char wal[PATH_MAX];
	struct stat st;

	if (snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
		return false;
	if (stat(wal, &st) < 0)
		return errno == ENOENT;
	return S_ISREG(st.st_mode) && st.st_size == 0;
}

int store_open_readonly(const char *path, struct store **ret, struct wg_err *err)
{
	struct store *s = NULL;
	struct stat st;
	int version, r;

	/* a reader never creates: a mistyped path is an error, not an empty history */
	if (stat(path, &st) < 0)
		return wg_err_set(err, -errno, "no history at '%s': %s", path, strerror(errno));
	r = store_new(path, OPEN_READ, &s, err);
	if (r < 0)
		return r;
	r = user_version(s, &version, err);
	/*
	 * Reading a log needs its index, which a user who may not write here cannot create, nor
	 * anyone make anew on a full disk. When there is no log (another program closed the
	 * history last and removed both) or it is empty, everything is in the file itself: read it
	 * as it stands.
	 */
	if (r < 0 && r != -EBADMSG && r != -ENOMEM && log_empty(path)) {
		store_free(s);
		s = NULL;
		r = store_new(path, OPEN_READ_IMMUTABLE, &s, err);
		if (r < 0)
			return r;
		r = user_version(s, &version, err);
	}
	r = not_a_database(s, r, err);
	if (r >= 0 && version > store_schema_version())
		r = newer_schema(s, version, err);
	else if (r >= 0 && version < store_schema_version())
		r = wg_err_set(err, -EPROTO,
			       "'%s' has schema version %d: 'weargate sample' brings it to version %d", path,
			       version, store_schema_version());
	if (r < 0) {
		store_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	if (s->in_pass)
		store_pass_abort(s);
	if (s->import)
		store_import_end(s, -ECANCELED, NULL);
	for (int i = 0; i < _ST_MAX; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_close(s->db);
	free(s->head);
	free(s->seen_cache.e);
	free(s->tails.e);
	free(s->defs);
	free(s->path);
	free(s);
}

int store_set_durable(struct store *s, bool durable, struct wg_err *err)
{
	return exec(s, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF", err, "cannot set durability");
}

static int step_done(struct store *s, sqlite3_stmt *st, struct wg_err *err, const char *what);

int store_pass_begin(struct store *s, int64_t now, struct wg_err *err)
{
	int64_t last_id, last_t;
	sqlite3_stmt *st;
	int r, rc;

	if (s->in_pass)
		return wg_err_set(err, -EBUSY, "a sampling pass is already open");
	/* IMMEDIATE: take the write lock now, so that the pass never fails half-way on a busy database. */
	caches_forget(s);
	r = exec(s, "BEGIN IMMEDIATE", err, "cannot begin a pass");
	if (r < 0)
		return r;
	/* a pass stamped before the last one: the clock went back, which is worth a record of its own */
	r = store_last_pass(s, &last_id, &last_t, err);
	if (r == -ENOENT)
		r = 0;
	else if (r >= 0 && last_t > now && (r = stmt(s, ST_CLOCK_STEP_INSERT, &st, err)) >= 0) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, last_t);
		r = step_done(s, st, err, "cannot record that the clock went back");
	}
	if (r >= 0)
		r = stmt(s, ST_PASS_INSERT, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, now);
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			r = db_err(s, rc, err, "cannot record a pass");
	}
	if (r < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	s->in_pass = true;
	s->pass_id = sqlite3_last_insert_rowid(s->db);
	s->pass_t = now;
	s->seen_len = 0;
	s->seen_last = 0;
	s->pass_wrote = false;
	s->sweep_from = INT64_MAX;
	return 0;
}

static int seen_sweep(struct store *s, struct wg_err *err);

int store_pass_commit(struct store *s, struct wg_err *err)
{
	int r;

	if (!s->in_pass)
		return wg_err_set(err, -EINVAL, "no sampling pass is open");
	r = s->pass_wrote ? seen_sweep(s, err) : 0;
	if (r >= 0)
		r = exec(s, "COMMIT", err, "cannot commit the pass");
	if (r < 0) {
		caches_forget(s);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	s->in_pass = false;
	return r;
}

void store_pass_abort(struct store *s)
{
	if (!s->in_pass)
		return;
	caches_forget(s);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_pass = false;
}

/* Step a query that returns at most one row: 1 with a row, 0 without. */
static int step_one(struct store *s, sqlite3_stmt *st, struct wg_err *err)
{
	int rc = step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_err(s, rc, err, "cannot read");
}

static int step_done(struct store *s, sqlite3_stmt *st, struct wg_err *err, const char *what)
{
	int rc = step(st);

	return rc == SQLITE_DONE ? 0 : db_err(s, rc, err, what);
}

/* The id of the drive with this identity (or of this placeholder), created when new. */
static int drive_id(struct store *s, const char *model, const char *serial, const char *placeholder, int64_t *ret,
		    struct wg_err *err)
{
	sqlite3_stmt *st;
	int r;

	r = stmt(s, placeholder ? ST_DRIVE_BY_PLACEHOLDER : ST_DRIVE_BY_IDENTITY, &st, err);
	if (r < 0)
		return r;
	if (placeholder) {
		sqlite3_bind_text(st, 1, placeholder, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	}
	r = step_one(s, st, err);
	if (r > 0)
		*ret = sqlite3_column_int64(st, 0);
	/* a statement left on a row would hold this connection's read snapshot open */
	sqlite3_reset(st);
	if (r != 0)
		return r < 0 ? r : 0;
	r = stmt(s, ST_DRIVE_INSERT, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	if (placeholder)
		sqlite3_bind_text(st, 3, placeholder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s->pass_t);
	r = step_done(s, st, err, "cannot record a new drive");
	if (r < 0)
		return r;
	*ret = sqlite3_last_insert_rowid(s->db);
	/* a new drive has run no job */
	caches_forget(s);
	r = stmt(s, ST_HEAD_JOBS, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, *ret);
	sqlite3_bind_int64(st, 2, -1);
	sqlite3_bind_int64(st, 3, -1);
	sqlite3_bind_int64(st, 4, -1);
	return step_done(s, st, err, "cannot record a new drive");
}

void store_set_drivedb(struct store *s, struct drivedb_source *src)
{
	s->drivedb = src;
}

static void copy_col(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(st, col);

	snprintf(buf, len, "%s", v ? v : "");
}

/* 1 with the match recorded for a drive's firmware, 0 when none is. */
static int match_get(struct store *s, int64_t drive, const char *firmware, struct drivedb_match *ret,
		     struct wg_err *err)
{
	sqlite3_stmt *st;
	int r = stmt(s, ST_MATCH_GET, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_text(st, 2, firmware, -1, SQLITE_STATIC);
	r = step_one(s, st, err);
	if (r > 0) {
		memset(ret, 0, sizeof(*ret));
		copy_col(st, 0, ret->stamp, sizeof(ret->stamp));
		copy_col(st, 1, ret->source, sizeof(ret->source));
		copy_col(st, 2, ret->family, sizeof(ret->family));
		copy_col(st, 3, ret->warning, sizeof(ret->warning));
		copy_col(st, 4, ret->defaults, sizeof(ret->defaults));
		copy_col(st, 5, ret->presets, sizeof(ret->presets));
	}
	sqlite3_reset(st);
	return r;
}

static int match_put(struct store *s, int64_t drive, const char *firmware, const struct drivedb_match *m,
		     struct wg_err *err)
{
	sqlite3_stmt *st;
	int r = stmt(s, ST_MATCH_PUT, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_text(st, 2, firmware, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->stamp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->family, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->warning, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->defaults, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, m->presets, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, s->pass_t);
	return step_done(s, st, err, "cannot record a drive's database entry");
}

int store_drive_match(struct store *s, int64_t drive, const char *firmware, struct drivedb_match *ret,
		      struct wg_err *err)
{
	int r = match_get(s, drive, firmware, ret, err);

	return r == 0 ? -ENOENT : r < 0 ? r : 0;
}

static struct defs_cached *defs_cache(struct store *s, int64_t drive, const char *firmware)
{
	for (size_t i = 0; i < s->n_defs; i++)
		if (s->defs[i].drive_id == drive && strcmp(s->defs[i].firmware, firmware) == 0)
			return &s->defs[i];
	return NULL;
}

static void defs_remember(struct store *s, int64_t drive, const char *firmware, const struct attr_defs *defs)
{
	struct defs_cached *c = defs_cache(s, drive, firmware);

	if (!c && s->n_defs == s->cap_defs) {
		size_t cap = s->cap_defs ? 2 * s->cap_defs : 16;
		struct defs_cached *n = realloc(s->defs, cap * sizeof(*n));

		if (!n)
			return; /* only a cache: it is looked up again next time */
		s->defs = n;
		s->cap_defs = cap;
	}
	if (!c) {
		c = &s->defs[s->n_defs++];
		c->drive_id = drive;
		snprintf(c->firmware, sizeof(c->firmware), "%s", firmware);
	}
	c->defs = defs;
}

/*
 * The definitions recorded for a drive's firmware, and the stamp of the database they were
 * matched in (ret_stamp may be NULL): 1, or 0 when none are recorded. The row's text is read
 * where SQLite holds it: a drive's presets are kilobytes, read for every drive of every pass.
 */
static int defs_get(struct store *s, int64_t drive, const char *firmware, char *ret_stamp, size_t stamp_len,
		    const struct attr_defs **ret, struct wg_err *err)
{
	sqlite3_stmt *st;
	int r = stmt(s, ST_MATCH_DEFS, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_text(st, 2, firmware, -1, SQLITE_STATIC);
	r = step_one(s, st, err);
	if (r > 0) {
		const char *defaults = (const char *)sqlite3_column_text(st, 1);
		const char *presets = (const char *)sqlite3_column_text(st, 2);

		if (ret_stamp)
			copy_col(st, 0, ret_stamp, stamp_len);
		*ret = drivedb_defs(defaults ? defaults : "", presets ? presets : "");
	}
	sqlite3_reset(st);
	return r;
}

/*
 * A reading read back: its drive's definitions as recorded for its firmware. A history that
 * cannot say (none recorded, or a schema being migrated to this one) reads with smartctl's
 * defaults.
 */
static void attach_defs(struct store *s, int64_t drive, struct smart_reading *r)
{
	const struct attr_defs *defs = NULL;
	struct defs_cached *c;

	if (!r->identity_valid) {
		r->defs = NULL;
		return;
	}
	c = defs_cache(s, drive, r->identity.firmware);
	if (c) {
		r->defs = c->defs;
		return;
	}
	if (defs_get(s, drive, r->identity.firmware, NULL, 0, &defs, NULL) <= 0)
		defs = NULL;
	defs_remember(s, drive, r->identity.firmware, defs);
	r->defs = defs;
}

void store_reading_defs(struct store *s, int64_t drive, struct smart_reading *r)
{
	if (drive < 0)
		r->defs = NULL;
	else
		attach_defs(s, drive, r);
}

/*
 * A reading being recorded: match its drive in the database when it has no match for this
 * firmware, or one from another database than the one there now; record that match with the
 * pass, and attach the definitions.
 */
static int resolve_defs(struct store *s, int64_t drive, struct smart_reading *r, struct wg_err *err)
{
	const char *fw = r->identity.firmware;
	const struct attr_defs *defs = NULL;
	struct drivedb_match *m;
	char stamp[sizeof(m->stamp)] = "";
	int k;

	k = defs_get(s, drive, fw, stamp, sizeof(stamp), &defs, err);
	if (k >= 0 && s->drivedb && (k == 0 || strcmp(stamp, drivedb_source_stamp(s->drivedb)) != 0)) {
		m = malloc(sizeof(*m));
		if (!m)
			return wg_err_set(err, -ENOMEM, "out of memory");
		k = drivedb_source_match(s->drivedb, r->identity.model, fw, m);
		if (k < 0)
			k = wg_err_set(err, k, "out of memory");
		else
			k = match_put(s, drive, fw, m, err);
		if (k >= 0) {
			defs = drivedb_defs(m->defaults, m->presets);
			k = 1;
		}
		free(m);
	}
	if (k < 0)
		return k;
	r->defs = k > 0 ? defs : NULL;
	defs_remember(s, drive, fw, r->defs);
	return 0;
}

/* One chunk, its row's data and its tail's one after the other, copied out of SQLite's buffers. */
struct chunk_row {
	int64_t id, drive_id, first_pass, t0, last_pass, t1;
	char name[STORE_NAME_MAX];
	uint8_t data[CHUNK_MAX];
	size_t len;
	size_t tail_len; /* of len, what the tail holds */
	int64_t tail_n;  /* samples in the tail */
	bool has_tail;
	/*
	 * Of those, the repeats that passes' lists hold and the tail has not taken yet (the last
	 * of them, when there are any, give last_pass and t1); tail_pass is the tail's own last pass.
	 */
	int64_t deferred, tail_pass;
	/* the brief the tail keeps of the last sample, when the query asked for it (TAIL_BRIEF) */
	bool tail_brief;
	int tail_status, tail_self_test;
	int64_t tail_temperature;
};

/*
 * The lists of the passes after after, as far as a chunk's repeats may wait: read once in a
 * transaction for the passes a gate's drives share, and again outside one.
 */
static int seen_load(struct store *s, int64_t after, struct wg_err *err)
{
	struct seen_cache *sc = &s->seen_cache;
	int64_t hi = after > INT64_MAX - DEFER_PASSES ? INT64_MAX : after + DEFER_PASSES;
	bool kept = sc->valid && !sqlite3_get_autocommit(s->db);
	sqlite3_stmt *st;
	int r, rc;

	/* every transaction begins with the caches forgotten: one kept is this transaction's */
	if (kept && sc->lo <= after && sc->hi >= hi)
		return 0;
	/* the drives' tails took their last samples a few passes apart: one read for all of them */
	if (kept) {
		int64_t lo = sc->lo < after ? sc->lo : after, top = sc->hi > hi ? sc->hi : hi;

		if (top - lo <= 4 * DEFER_PASSES) {
			after = lo;
			hi = top;
		}
	} else if (!sqlite3_get_autocommit(s->db) && after > INT64_MIN + DEFER_PASSES) {
		after -= 8; /* and the next drive's, whose tail took its last sample a pass or two before */
	}
	sc->valid = false;
	sc->n = 0;
	r = stmt(s, ST_PASS_SEEN, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, hi);
	while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *p = sqlite3_column_blob(st, 2);
		size_t len = (size_t)sqlite3_column_bytes(st, 2), off = 0;
		int64_t pass = sqlite3_column_int64(st, 0), t = sqlite3_column_int64(st, 1), chunk = 0;

		while (r >= 0 && seen_list_next(p, len, &off, &chunk)) {
			if (sc->n == sc->cap) {
				size_t cap = sc->cap ? 2 * sc->cap : 64;
				struct seen_entry *e = realloc(sc->e, cap * sizeof(*e));

				if (!e) {
					r = wg_err_set(err, -ENOMEM, "out of memory");
					break;
				}
				sc->e = e;
				sc->cap = cap;
			}
			sc->e[sc->n++] = (struct seen_entry){ .pass = pass, .t = t, .chunk = chunk };
		}
	}
	if (r >= 0 && rc != SQLITE_DONE)
		r = db_err(s, rc, err, "cannot read the passes");
	sqlite3_reset(st);
	if (r < 0)
		return r;
	/* kept for the rest of a transaction only: outside one, the next read may see another's passes */
	*sc = (struct seen_cache){
		.valid = !sqlite3_get_autocommit(s->db), .lo = after, .hi = hi, .e = sc->e, .n = sc->n, .cap = sc->cap
	};
	return 0;
}

/* The next of chunk's repeats after pass after, from *i on: NULL when there are no more. */
static const struct seen_entry *seen_next(const struct store *s, int64_t chunk, int64_t after, size_t *i)
{
	const struct seen_cache *sc = &s->seen_cache;

	for (; *i < sc->n; (*i)++) {
		const struct seen_entry *e = &sc->e[*i];

		if (e->chunk == chunk && e->pass > after && e->pass - after <= DEFER_PASSES) {
			(*i)++;
			return e;
		}
	}
	return NULL;
}

/*
 * The newest of an open chunk's repeats not in its tail yet, stamped at or before until and
 * of a pass before before_pass: 1 with its pass and time, 0 when there is none.
 */
static int seen_newest(struct store *s, int64_t chunk, int64_t tail_pass, int64_t until, int64_t before_pass,
		       int64_t *ret_pass, int64_t *ret_t, struct wg_err *err)
{
	const struct seen_entry *e;
	size_t i = 0;
	int r = seen_load(s, tail_pass, err), found = 0;

	while (r >= 0 && (e = seen_next(s, chunk, tail_pass, &i)) && e->t <= until && e->pass < before_pass) {
		*ret_pass = e->pass;
		*ret_t = e->t;
		found = 1;
	}
	return r < 0 ? r : found;
}

static int chunk_seek(struct store *s, const struct chunk_row *ch, int64_t pass, struct chunk_cursor *c,
		      struct wg_err *err);

/* Bring an open chunk's repeats that passes' lists hold after its tail into the chunk as read. */
static int chunk_take_repeats(struct store *s, struct chunk_row *ch, struct wg_err *err)
{
	const struct seen_entry *e;
	struct chunk_cursor c;
	uint8_t rec[CHUNK_RECORD_MAX];
	size_t i = 0;
	int r;

	ch->tail_pass = ch->last_pass;
	ch->deferred = 0;
	if (!ch->has_tail)
		return 0;
	r = seen_load(s, ch->tail_pass, err);
	while (r >= 0 && (e = seen_next(s, ch->id, ch->tail_pass, &i))) {
		int n;

		/*
		 * A damaged chunk is read as it is, without them: its reader says it is damaged, and a
		 * pass starts a new one
		 */
		if (ch->deferred == 0 && chunk_seek(s, ch, 0, &c, NULL) <= 0)
			return 0;
		n = chunk_record_encode(&c, e->pass, e->t, c.frame, c.frame_len, rec);
		if (n < 0 || ch->len + (size_t)n > sizeof(ch->data))
			return 0;
		memcpy(ch->data + ch->len, rec, (size_t)n);
		ch->len += (size_t)n;
		ch->tail_len += (size_t)n;
		ch->tail_n++;
		ch->deferred++;
		ch->last_pass = e->pass;
		ch->t1 = e->t;
		c.len = ch->len;
		if (chunk_cursor_next(&c) <= 0)
			return 0;
	}
	return r;
}

/* A brief as bind_brief() binds it, read from col on: a temperature or self-test not kept is unknown. */
static void brief_column(sqlite3_stmt *st, int col, struct brief *ret)
{
	ret->status = sqlite3_column_int(st, col);
	ret->temperature_c = sqlite3_column_type(st, col + 1) == SQLITE_NULL ? ATTR_UNKNOWN
										 : sqlite3_column_int64(st, col + 1);
	ret->self_test = sqlite3_column_type(st, col + 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, col + 2);
}

static int chunk_row_read(struct store *s, sqlite3_stmt *st, struct chunk_row *ret, struct wg_err *err)
{
	const void *data = sqlite3_column_blob(st, 5), *tail;
	int len = sqlite3_column_bytes(st, 5), tail_len;
	const char *name = (const char *)sqlite3_column_text(st, 2);

	ret->id = sqlite3_column_int64(st, 0);
	ret->drive_id = sqlite3_column_int64(st, 1);
	ret->first_pass = sqlite3_column_int64(st, 3);
	ret->t0 = sqlite3_column_int64(st, 4);
	ret->last_pass = sqlite3_column_int64(st, 6);
	ret->t1 = sqlite3_column_int64(st, 7);
	ret->has_tail = sqlite3_column_type(st, 8) != SQLITE_NULL;
	tail = sqlite3_column_blob(st, 8);
	tail_len = sqlite3_column_bytes(st, 8);
	ret->tail_n = sqlite3_column_int64(st, 9);
	if (len < 0 || tail_len < 0 || (size_t)len + (size_t)tail_len > sizeof(ret->data) || !name ||
	    wg_strlcpy(ret->name, name, sizeof(ret->name)) < 0)
		return wg_err_set(err, -EBADMSG, "'%s': chunk %lld is damaged", s->path, (long long)ret->id);
	if (len)
		memcpy(ret->data, data, (size_t)len);
	if (tail_len)
		memcpy(ret->data + len, tail, (size_t)tail_len);
	ret->len = (size_t)len + (size_t)tail_len;
	ret->tail_len = (size_t)tail_len;
	ret->tail_brief = ret->has_tail && sqlite3_column_count(st) > 12;
	if (ret->tail_brief) {
		struct brief b;

		brief_column(st, 10, &b);
		ret->tail_status = b.status;
		ret->tail_temperature = b.temperature_c;
		ret->tail_self_test = b.self_test;
	}
	return chunk_take_repeats(s, ret, err);
}

/* Fetch the next chunk a query selects: 1 found, 0 none. */
static int chunk_fetch(struct store *s, sqlite3_stmt *st, struct chunk_row *ret, struct wg_err *err)
{
	int r = step_one(s, st, err);

	if (r <= 0)
		return r;
	r = chunk_row_read(s, st, ret, err);
	return r < 0 ? r : 1;
}

/* The single chunk a cached query selects, its statement reset once the row is copied. */
static int chunk_fetch_one(struct store *s, sqlite3_stmt *st, struct chunk_row *ret, struct wg_err *err)
{
	int r = chunk_fetch(s, st, ret, err);

	sqlite3_reset(st);
	return r;
}

/* Decode a chunk up to its last sample (pass 0), or up to the sample of pass: 1 there, 0 when absent. */
static int chunk_seek(struct store *s, const struct chunk_row *ch, int64_t pass, struct chunk_cursor *c,
		      struct wg_err *err)
{
	int r = chunk_cursor_init(c, ch->data, ch->len, ch->first_pass, ch->t0);

	while (r >= 0) {
		/* at the end the cursor stays on the last sample */
		r = chunk_cursor_next(c);
		if (r == 0)
			return pass > 0 ? 0 : c->n > 0;
		if (r > 0 && pass > 0 && c->pass >= pass)
			return c->pass == pass;
	}
	return wg_err_set(err, r, "'%s': chunk %lld is damaged", s->path, (long long)ch->id);
}

static int sample_from_cursor(struct store *s, const struct chunk_row *ch, const struct chunk_cursor *c,
			      struct store_sample *ret, struct wg_err *err)
{
	struct store_sample sample;

	memset(&sample, 0, sizeof(sample));
	if (frame_to_reading(c->frame, c->frame_len, &sample.reading) < 0)
		return wg_err_set(err, -EBADMSG, "'%s': a sample in chunk %lld is damaged", s->path, (long long)ch->id);
	attach_defs(s, ch->drive_id, &sample.reading);
	sample.drive_id = ch->drive_id;
	sample.pass_id = c->pass;
	sample.t = c->t;
	memcpy(sample.name, ch->name, sizeof(sample.name));
	*ret = sample;
	return 0;
}

/*
 * Append a sample to the drive's open chunk when it can take it: same name, still the newest
 * chunk under that name (so the newest sample of a name is always in its newest chunk), time
 * not going backwards (so t0 and t1 bound the chunk), within its span, and room left. Else
 * start a chunk.
 */
static void brief_of(const struct smart_reading *r, struct brief *ret)
{
	struct smart_derived d;

	ret->status = (int)r->status;
	ret->temperature_c = ATTR_UNKNOWN;
	ret->self_test = r->self_test;
	if (r->status == READING_OK) {
		attrs_derive(r, &d);
		ret->temperature_c = d.temperature_c;
	}
}

static void bind_brief(sqlite3_stmt *st, int col, const struct brief *b)
{
	sqlite3_bind_int(st, col, b->status);
	if (b->temperature_c != ATTR_UNKNOWN)
		sqlite3_bind_int64(st, col + 1, b->temperature_c);
	if (b->self_test >= 0)
		sqlite3_bind_int(st, col + 2, b->self_test);
}

/* Whose a tail is: its chunk, and the chunk's name and drive. */
struct tail_owner {
	int64_t chunk;
	const char *name;
	int64_t drive;
};

static int tail_delete(struct store *s, int64_t chunk, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_TAIL_DELETE, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, chunk);
	return step_done(s, st, err, "cannot record a sample");
}

/* A pass's list as it now stands: none at all when it is empty. */
static int seen_list_set(struct store *s, int64_t pass, const uint8_t *list, size_t len, struct wg_err *err)
{
	sqlite3_stmt *st;
	int r = stmt(s, ST_PASS_SEEN_SET, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, pass);
	if (len)
		sqlite3_bind_blob(st, 2, list, (int)len, SQLITE_STATIC);
	return step_done(s, st, err, "cannot record a pass");
}

/*
 * Add a chunk to the open pass's list of what it read unchanged: 1 when listed, 0 when the list
 * is full (the sample is written instead).
 */
static int seen_add(struct store *s, int64_t chunk, struct wg_err *err)
{
	struct seen_cache *sc = &s->seen_cache;
	int r;

	if (s->seen_len + SVARINT_MAX > sizeof(s->seen))
		return 0;
	s->seen_len += seen_list_put(s->seen + s->seen_len, &s->seen_last, chunk);
	r = seen_list_set(s, s->pass_id, s->seen, s->seen_len, err);
	if (r < 0)
		return r;
	/* what this transaction read of the lists holds this one's too */
	if (sc->valid && s->pass_id > sc->lo && s->pass_id <= sc->hi) {
		if (sc->n == sc->cap) {
			sc->valid = false;
			return 1;
		}
		sc->e[sc->n++] = (struct seen_entry){ .pass = s->pass_id, .t = s->pass_t, .chunk = chunk };
	}
	return 1;
}

/*
 * A chunk's tail as of the open pass: its records, how many, and the brief of the last sample;
 * and whose chunk it is (the name's newest: chunk_append writes to no other).
 */
static int tail_put(struct store *s, const struct tail_owner *o, const uint8_t *data, size_t len, int64_t n,
		    const struct brief *b, struct wg_err *err)
{
	sqlite3_stmt *st;
	int r = stmt(s, ST_TAIL_PUT, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, s->pass_id);
	sqlite3_bind_int64(st, 2, s->pass_t);
	sqlite3_bind_int64(st, 3, n);
	sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_STATIC);
	bind_brief(st, 5, b);
	sqlite3_bind_int64(st, 8, o->chunk);
	sqlite3_bind_text(st, 9, o->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, o->drive);
	return step_done(s, st, err, "cannot record a sample");
}

/* When a chunk's tail last took a sample, cached for one sweep: -1 when it has no tail. */
struct tail_pass {
	int64_t chunk, pass;
};

static int tail_pass_of(struct store *s, int64_t chunk, struct tail_pass *known, size_t *n, size_t cap,
			int64_t *ret, struct wg_err *err)
{
	sqlite3_stmt *st;
	int r;

	for (size_t i = 0; i < *n; i++)
		if (known[i].chunk == chunk) {
			*ret = known[i].pass;
			return 0;
		}
	r = stmt(s, ST_TAIL_PASS, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, chunk);
	r = step_one(s, st, err);
	*ret = r > 0 ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	if (r >= 0 && *n < cap)
		known[(*n)++] = (struct tail_pass){ chunk, *ret };
	return r < 0 ? r : 0;
}

/*
 * A pass's list is needed until its chunks' tails have taken its repeats (or the chunks were
 * closed or rewritten, their repeats with them). A pass that writes pages beside its own row
 * keeps of the lists of the passes before it only what is still needed, most of them none: so
 * the lists do not stay in the history, and their rows, the newest of the pass table, are
 * mostly on the page this pass writes anyway.
 */
#define SWEEP_PASSES (2 * DEFER_PASSES)
#define SWEEP_CHUNKS 256

static int seen_sweep(struct store *s, struct wg_err *err)
{
	struct row {
		int64_t id;
		size_t len;
		uint8_t seen[SEEN_MAX];
	} *rows = malloc(SWEEP_PASSES * sizeof(*rows));
	struct tail_pass *known = malloc(SWEEP_CHUNKS * sizeof(*known));
	size_t n_rows = 0, n_known = 0;
	sqlite3_stmt *st;
	int r, rc = SQLITE_DONE;

	if (!rows || !known) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	r = stmt(s, ST_PASS_SEEN, &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, (s->sweep_from < s->pass_id - SWEEP_PASSES ? s->sweep_from : s->pass_id - SWEEP_PASSES) - 1);
	sqlite3_bind_int64(st, 2, s->pass_id - 1);
	while (n_rows < SWEEP_PASSES && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int len = sqlite3_column_bytes(st, 2);

		if (len <= 0 || (size_t)len > sizeof(rows->seen))
			continue; /* not one this build writes: left as it is */
		rows[n_rows].id = sqlite3_column_int64(st, 0);
		rows[n_rows].len = (size_t)len;
		memcpy(rows[n_rows++].seen, sqlite3_column_blob(st, 2), (size_t)len);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = db_err(s, rc, err, "cannot read the passes");
	sqlite3_reset(st);
	for (size_t i = 0; r >= 0 && i < n_rows; i++) {
		uint8_t keep[SEEN_MAX];
		size_t off = 0, len = 0;
		int64_t chunk = 0, last = 0, tail;

		/* a damaged list is left as it is */
		while (r >= 0 && seen_list_next(rows[i].seen, rows[i].len, &off, &chunk)) {
			r = tail_pass_of(s, chunk, known, &n_known, SWEEP_CHUNKS, &tail, err);
			if (r >= 0 && tail >= 0 && tail < rows[i].id && rows[i].id - tail <= DEFER_PASSES)
				len += seen_list_put(keep + len, &last, chunk);
		}
		if (r < 0 || off < rows[i].len || len == rows[i].len)
			continue;
		r = seen_list_set(s, rows[i].id, keep, len, err);
		s->seen_cache.valid = false;
	}
out:
	free(known);
	free(rows);
	return r;
}

static int chunk_append(struct store *s, int64_t drive, const char *name, const uint8_t *frame, size_t frame_len,
			const struct brief *b, struct wg_err *err)
{
	uint8_t rec[CHUNK_RECORD_MAX], buf[CHUNK_MAX + CHUNK_RECORD_MAX];
	struct chunk_row *last = NULL;
	struct tail_owner owner = { .chunk = -1 };
	struct chunk_cursor c;
	sqlite3_stmt *st;
	bool append = false, found;
	int r, n;

	last = malloc(sizeof(*last));
	if (!last)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = stmt(s, ST_CHUNK_LAST_OF_DRIVE, &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, drive);
	r = chunk_fetch_one(s, st, last, err);
	found = r > 0;
	if (r > 0 && strcmp(last->name, name) == 0) {
		int64_t newest_of_name = -1;

		r = stmt(s, ST_CHUNK_LAST_OF_NAME, &st, err);
		if (r < 0)
			goto out;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		r = step_one(s, st, err);
		if (r > 0)
			newest_of_name = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		/* A damaged open chunk is left as it is: the sample goes into a new one. */
		append = r >= 0 && newest_of_name == last->id && s->pass_t - last->t0 <= CHUNK_MAX_SPAN &&
			 chunk_seek(s, last, 0, &c, NULL) > 0 && s->pass_t >= c.t;
	}
	if (r < 0)
		goto out;
	n = append ? chunk_record_encode(&c, s->pass_id, s->pass_t, frame, frame_len, rec) : -ERANGE;
	if (append)
		owner = (struct tail_owner){ .chunk = last->id, .name = name, .drive = drive };
	/*
	 * read as before, and judged as before (the brief, which the definitions it is read with
	 * could change): in the pass's list, while the tail could still take it as written
	 */
	if (n >= 0 && last->tail_brief && frame_len == c.frame_len && memcmp(frame, c.frame, frame_len) == 0 &&
	    last->tail_status == b->status && last->tail_temperature == b->temperature_c &&
	    last->tail_self_test == b->self_test && s->pass_id - last->tail_pass <= DEFER_PASSES &&
	    last->len + (size_t)n <= CHUNK_MAX) {
		r = seen_add(s, last->id, err);
		if (r != 0) {
			r = r < 0 ? r : 0;
			goto out;
		}
	}
	s->pass_wrote = true;
	/* repeats that waited (since before the usual sweep, for a drive that slept) are written now */
	if (found && last->deferred > 0 && last->tail_pass < s->sweep_from)
		s->sweep_from = last->tail_pass + 1;
	if (n >= 0 && last->len + (size_t)n <= CHUNK_MAX && last->tail_len + (size_t)n <= TAIL_MAX) {
		/* into the tail: a small row among the other drives' tails, not the chunk's own */
		memcpy(buf, last->data + last->len - last->tail_len, last->tail_len);
		memcpy(buf + last->tail_len, rec, (size_t)n);
		r = tail_put(s, &owner, buf, last->tail_len + (size_t)n, last->tail_n + 1, b, err);
		goto out;
	}
	if (n >= 0 && last->len + (size_t)n <= CHUNK_MAX) {
		/* the tail is full: it and the sample into the chunk's row */
		memcpy(buf, last->data, last->len);
		memcpy(buf + last->len, rec, (size_t)n);
		r = stmt(s, ST_CHUNK_UPDATE, &st, err);
		if (r < 0)
			goto out;
		sqlite3_bind_int64(st, 1, s->pass_id);
		sqlite3_bind_int64(st, 2, s->pass_t);
		sqlite3_bind_int64(st, 3, last->tail_n + 1);
		sqlite3_bind_blob(st, 4, buf, (int)(last->len + (size_t)n), SQLITE_STATIC);
		bind_brief(st, 5, b);
		sqlite3_bind_int64(st, 8, last->id);
		r = step_done(s, st, err, "cannot record a sample");
		/*
		 * and an empty tail after it: the chunk is still open, and its next sample that reads
		 * as this one is listed by its pass instead of written (DEFER_PASSES)
		 */
		if (r >= 0)
			r = tail_put(s, &owner, buf, 0, 0, b, err);
		goto out;
	}
	/* a new chunk: the one it follows is closed, its tail folded into its row */
	if (r > 0 && last->has_tail) {
		r = stmt(s, ST_TAIL_FOLD, &st, err);
		if (r < 0)
			goto out;
		sqlite3_bind_int64(st, 1, last->id);
		sqlite3_bind_blob(st, 2, last->data, (int)last->len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, last->last_pass);
		sqlite3_bind_int64(st, 4, last->t1);
		sqlite3_bind_int64(st, 5, last->tail_n);
		r = step_done(s, st, err, "cannot record a sample");
		if (r >= 0)
			r = tail_delete(s, last->id, err);
		if (r < 0)
			goto out;
	}
	chunk_cursor_init(&c, NULL, 0, s->pass_id, s->pass_t);
	n = chunk_record_encode(&c, s->pass_id, s->pass_t, frame, frame_len, rec);
	if (n < 0) {
		r = wg_err_set(err, -EINVAL, "cannot encode a sample");
		goto out;
	}
	/* an open chunk of another drive under this name is no longer the name's newest */
	r = stmt(s, ST_TAIL_UNNAME, &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = step_done(s, st, err, "cannot record a sample");
	if (r >= 0)
		r = stmt(s, ST_CHUNK_INSERT, &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->pass_id);
	sqlite3_bind_int64(st, 4, s->pass_id);
	sqlite3_bind_int64(st, 5, s->pass_t);
	sqlite3_bind_int64(st, 6, s->pass_t);
	sqlite3_bind_blob(st, 7, rec, n, SQLITE_STATIC);
	bind_brief(st, 8, b);
	r = step_done(s, st, err, "cannot record a sample");
	/* and its tail, empty: the chunk is open, and a gate finds the name's newest sample there */
	owner = (struct tail_owner){ .chunk = sqlite3_last_insert_rowid(s->db), .name = name, .drive = drive };
	if (r >= 0)
		r = tail_put(s, &owner, rec, 0, 0, b, err);
out:
	free(last);
	return r;
}

/*
 * A reading is recorded against its identity, unless it has none (against the drive last seen
 * under the name) or it was kept apart as another drive's twin (against the name's placeholder).
 */
static bool identified(const struct smart_reading *r)
{
	return r->identity_valid && r->status != READING_DUPLICATE;
}

/* The drive a reading under name goes to: 1 with its id, 0 when a new one would be made. */
static int drive_of(struct store *s, const char *name, const struct smart_reading *r, int64_t *ret, struct wg_err *err)
{
	struct chunk_row *ch;
	sqlite3_stmt *st;
	int k;

	if (r->status == READING_DUPLICATE)
		goto placeholder; /* a history of its own under the name, not the twin's */
	if (identified(r)) {
		k = stmt(s, ST_DRIVE_BY_IDENTITY, &st, err);
		if (k < 0)
			return k;
		sqlite3_bind_text(st, 1, r->identity.model, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->identity.serial, -1, SQLITE_STATIC);
		k = step_one(s, st, err);
		if (k > 0)
			*ret = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return k;
	}
	/* Who is there cannot be told: the drive last seen under this name, or its placeholder. */
	ch = malloc(sizeof(*ch));
	if (!ch)
		return wg_err_set(err, -ENOMEM, "out of memory");
	k = stmt(s, ST_CHUNK_LAST_OF_NAME, &st, err);
	if (k >= 0) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		k = chunk_fetch_one(s, st, ch, err);
		if (k > 0)
			*ret = ch->drive_id;
	}
	free(ch);
	if (k != 0)
		return k;
placeholder:
	k = stmt(s, ST_DRIVE_BY_PLACEHOLDER, &st, err);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	k = step_one(s, st, err);
	if (k > 0)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return k;
}

static int check_name(const char *name, struct wg_err *err)
{
	if (!name[0] || strlen(name) >= STORE_NAME_MAX)
		return wg_err_set(err, -EINVAL, "drive name '%s' is empty or too long", name);
	return 0;
}

int store_drive_of(struct store *s, const char *name, const struct smart_reading *r, int64_t *ret_id,
		   struct wg_err *err)
{
	int k = check_name(name, err);

	if (k >= 0)
		k = drive_of(s, name, r, ret_id, err);
	return k < 0 ? k : k > 0 ? 0 : -ENOENT;
}

int store_pass_record(struct store *s, const char *name, struct smart_reading *r, int64_t *ret_drive_id,
		      struct wg_err *err)
{
	uint8_t frame[FRAME_MAX];
	struct brief b;
	size_t frame_len;
	int64_t drive = -1;
	int k;

	if (!s->in_pass)
		return wg_err_set(err, -EINVAL, "no sampling pass is open");
	k = check_name(name, err);
	if (k < 0)
		return k;
	k = drive_of(s, name, r, &drive, err);
	if (k == 0)
		k = identified(r) ? drive_id(s, r->identity.model, r->identity.serial, NULL, &drive, err)
				  : drive_id(s, "", "", name, &drive, err);
	/* the drive's definitions: matched in the drive database when it has none for this firmware */
	if (k >= 0 && identified(r))
		k = resolve_defs(s, drive, r, err);
	if (k < 0)
		return k;
	frame_len = frame_from_reading(r, frame);
	brief_of(r, &b);
	k = chunk_append(s, drive, name, frame, frame_len, &b, err);
	if (k >= 0 && ret_drive_id)
		*ret_drive_id = drive;
	return k;
}

int store_pass_add(struct store *s, const char *name, struct smart_reading *r, struct wg_err *err)
{
	return store_pass_record(s, name, r, NULL, err);
}

int64_t store_pass_id(const struct store *s)
{
	return s->in_pass ? s->pass_id : -1;
}

/* The sample of pass (0: the last one) in the chunk a bound, cached query selects; -ENOENT when there is none. */
static int sample_in_chunk(struct store *s, sqlite3_stmt *st, int64_t pass, struct store_sample *ret,
			   struct wg_err *err)
{
	struct chunk_row *ch = malloc(sizeof(*ch));
	struct chunk_cursor c;
	int r;

	if (!ch)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = chunk_fetch_one(s, st, ch, err);
	if (r > 0) {
		r = chunk_seek(s, ch, pass, &c, err);
		if (r == 0 && pass == 0) /* every chunk is written with a sample */
			r = wg_err_set(err, -EBADMSG, "'%s': chunk %lld holds no sample", s->path, (long long)ch->id);
	}
	if (r == 0)
		r = -ENOENT;
	if (r > 0)
		r = sample_from_cursor(s, ch, &c, ret, err);
	free(ch);
	return r;
}

/*
 * The newest sample at or before until, of a pass before before_pass, in the chunk a bound,
 * cached query selects; -ENOENT when there is none. A chunk's samples go forward in time and
 * in passes: those that qualify are its first ones.
 */
static int sample_in_chunk_upto(struct store *s, sqlite3_stmt *st, int64_t until, int64_t before_pass,
				struct store_sample *ret, struct wg_err *err)
{
	struct chunk_row *ch = malloc(sizeof(*ch));
	struct chunk_cursor c;
	int64_t pass = 0;
	int r;

	if (!ch)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = chunk_fetch_one(s, st, ch, err);
	if (r > 0 && (ch->t1 > until || ch->last_pass >= before_pass)) {
		/* stamped ahead of until at its end (a clock set ahead for less than a chunk's span) */
		r = chunk_cursor_init(&c, ch->data, ch->len, ch->first_pass, ch->t0);
		while (r >= 0 && (r = chunk_cursor_next(&c)) > 0 && c.t <= until && c.pass < before_pass)
			pass = c.pass;
		r = r < 0 ? wg_err_set(err, -EBADMSG, "'%s': chunk %lld is damaged", s->path, (long long)ch->id) : 1;
		if (r > 0 && pass == 0)
			r = 0;
	}
	if (r > 0) {
		r = chunk_seek(s, ch, pass, &c, err);
		if (r == 0 && pass == 0) /* every chunk is written with a sample */
			r = wg_err_set(err, -EBADMSG, "'%s': chunk %lld holds no sample", s->path, (long long)ch->id);
	}
	if (r == 0)
		r = -ENOENT;
	if (r > 0)
		r = sample_from_cursor(s, ch, &c, ret, err);
	free(ch);
	return r;
}

int store_latest_upto(struct store *s, const char *name, int64_t until, struct store_sample *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_CHUNK_LAST_OF_NAME_UPTO, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, until);
	return sample_in_chunk_upto(s, st, until, INT64_MAX, ret, err);
}

/*
 * Every open chunk's tail that is its name's newest chunk: read once in a transaction, for all
 * the drives of a gate, as long as the transaction writes nothing.
 */
static int tails_load(struct store *s, struct wg_err *err)
{
	struct tails_cache *tc = &s->tails;
	int64_t changes = sqlite3_total_changes64(s->db);
	sqlite3_stmt *st;
	int r, rc;

	if (tc->valid && tc->changes == changes)
		return 0;
	tc->valid = false;
	tc->n = 0;
	r = stmt(s, ST_TAILS, &st, err);
	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		struct tail_brief *e;

		if (tc->n == tc->cap) {
			size_t cap = tc->cap ? 2 * tc->cap : 32;

			e = realloc(tc->e, cap * sizeof(*e));
			if (!e) {
				sqlite3_reset(st);
				return wg_err_set(err, -ENOMEM, "out of memory");
			}
			tc->e = e;
			tc->cap = cap;
		}
		e = &tc->e[tc->n];
		if (!name || wg_strlcpy(e->name, name, sizeof(e->name)) < 0)
			continue; /* no name a drive can have: its brief is asked of the chunks */
		e->chunk = sqlite3_column_int64(st, 0);
		e->drive = sqlite3_column_int64(st, 2);
		e->pass = sqlite3_column_int64(st, 3);
		e->t1 = sqlite3_column_int64(st, 4);
		brief_column(st, 5, &e->b);
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			e->b.status = -1; /* not kept */
		tc->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, rc, err, "cannot read the open chunks");
	tc->valid = true;
	tc->changes = changes;
	return 0;
}

/*
 * The brief of name from its newest chunk's tail, as ST_CHUNK_BRIEF_OF_NAME_UPTO reads it: 1
 * when that chunk is open and was last written by until (and so started by then: a chunk's
 * samples go forward in time), 0 when the chunks must tell.
 */
static int tails_brief(struct store *s, const char *name, int64_t until, struct store_brief *ret,
		       struct wg_err *err)
{
	const struct tail_brief *e = NULL;
	int64_t pass, t;
	int r = tails_load(s, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < s->tails.n; i++) {
		if (strcmp(s->tails.e[i].name, name) != 0)
			continue;
		if (e)
			return 0; /* only one chunk is the newest under a name: the chunks must tell */
		e = &s->tails.e[i];
	}
	if (!e || e->t1 > until || e->b.status < 0)
		return 0;
	*ret = (struct store_brief){
		.drive_id = e->drive,
		.pass_id = e->pass,
		.t = e->t1,
		.status = (enum reading_status)e->b.status,
		.temperature_c = e->b.temperature_c,
		.self_test = e->b.self_test,
	};
	/* and the repeats the tail has not taken yet */
	r = seen_newest(s, e->chunk, e->pass, until, INT64_MAX, &pass, &t, err);
	if (r < 0)
		return r;
	if (r > 0) {
		ret->pass_id = pass;
		ret->t = t;
	}
	/* an open chunk is its drive's newest */
	ret->drive_t = ret->t;
	return 1;
}

int store_latest_brief(struct store *s, const char *name, int64_t until, struct store_brief *ret, struct wg_err *err)
{
	struct store_sample *x;
	sqlite3_stmt *st = NULL;
	struct brief b;
	int r = 0;

	/* in a read of the history: from the tails, read once for every drive of a gate */
	if (!sqlite3_get_autocommit(s->db))
		r = tails_brief(s, name, until, ret, err);
	if (r != 0)
		return r < 0 ? r : 0;
	r = stmt(s, ST_CHUNK_BRIEF_OF_NAME_UPTO, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, until);
	r = step_one(s, st, err);
	if (r > 0 && sqlite3_column_int64(st, 2) <= until && sqlite3_column_type(st, 3) != SQLITE_NULL) {
		brief_column(st, 3, &b);
		*ret = (struct store_brief){
			.drive_id = sqlite3_column_int64(st, 0),
			.pass_id = sqlite3_column_int64(st, 1),
			.t = sqlite3_column_int64(st, 2),
			.status = (enum reading_status)b.status,
			.temperature_c = b.temperature_c,
			.self_test = b.self_test,
			.drive_t = -1,
		};
		/*
		 * An open chunk's repeats not in its tail yet: only the drive's newest chunk has them
		 * (seen_newest).
		 */
		if (sqlite3_column_int(st, 18) != 0) {
			int64_t pass, t;

			r = seen_newest(s, sqlite3_column_int64(st, 17), ret->pass_id, until, INT64_MAX, &pass, &t, err);
			if (r < 0) {
				sqlite3_reset(st);
				return r;
			}
			if (r > 0) {
				ret->pass_id = pass;
				ret->t = t;
			}
		}
		/*
		 * The drive's newest time under any name is this sample's when this chunk is the drive's
		 * newest (column 6: this chunk when it is open, else the index's newest). Else it stays
		 * unknown, for store_drive_latest_t().
		 */
		if (sqlite3_column_int64(st, 6) == sqlite3_column_int64(st, 17))
			ret->drive_t = ret->t;
		/* and the head, for the reads of the drive that follow in this transaction */
		if (!s->head && !sqlite3_get_autocommit(s->db))
			s->head = malloc(sizeof(*s->head));
		if (s->head && !sqlite3_get_autocommit(s->db))
			head_read(st, 8, ret->drive_id, sqlite3_column_int(st, 7) != 0, s->head);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	/* stamped past until at its end, or kept by an older weargate: from the sample itself */
	x = malloc(sizeof(*x));
	if (!x)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = store_latest_upto(s, name, until, x, err);
	if (r >= 0) {
		brief_of(&x->reading, &b);
		*ret = (struct store_brief){ .drive_id = x->drive_id, .pass_id = x->pass_id, .t = x->t,
					     .status = x->reading.status, .temperature_c = b.temperature_c,
					     .self_test = b.self_test, .drive_t = -1 };
	}
	free(x);
	return r;
}

int store_drive_latest_t(struct store *s, int64_t drive, int64_t until, int64_t before_pass, int64_t *ret_t,
			 struct wg_err *err)
{
	struct store_sample *x = NULL;
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_CHUNK_TIME_OF_DRIVE_UPTO, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_int64(st, 3, before_pass);
	r = step_one(s, st, err);
	/* the row says when its last sample was taken: only a chunk that ends past the bounds is read */
	if (r > 0 && sqlite3_column_int64(st, 1) <= until && sqlite3_column_int64(st, 0) < before_pass) {
		int64_t pass;

		*ret_t = sqlite3_column_int64(st, 1);
		/* and the repeats an open chunk's tail has not taken yet */
		r = sqlite3_column_int(st, 3) == 0 ? 0
						   : seen_newest(s, sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 0),
								 until, before_pass, &pass, ret_t, err);
		sqlite3_reset(st);
		return r < 0 ? r : 0;
	}
	sqlite3_reset(st);
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	x = malloc(sizeof(*x));
	r = x ? stmt(s, ST_CHUNK_LAST_OF_DRIVE_UPTO, &st, err) : wg_err_set(err, -ENOMEM, "out of memory");
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, drive);
		sqlite3_bind_int64(st, 2, until);
		sqlite3_bind_int64(st, 3, before_pass);
		r = sample_in_chunk_upto(s, st, until, before_pass, x, err);
	}
	if (r >= 0)
		*ret_t = x->t;
	free(x);
	return r;
}

int store_latest_by_name(struct store *s, const char *name, struct store_sample *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_CHUNK_LAST_OF_NAME, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return sample_in_chunk(s, st, 0, ret, err);
}

int store_sample_get(struct store *s, int64_t drive, int64_t pass, struct store_sample *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	if (pass <= 0)
		return -ENOENT;
	r = stmt(s, ST_CHUNK_OF_PASS, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int64(st, 2, pass);
	return sample_in_chunk(s, st, pass, ret, err);
}

/*
 * A statement of its own for a walk that calls back, not a cached one: a callback may query
 * the store, and must not reset this one under us.
 */
static int prepare_walk(struct store *s, const char *sql, sqlite3_stmt **ret, struct wg_err *err)
{
	int r = prepare(s->db, sql, 0, ret);

	return r == SQLITE_OK ? 0 : db_err(s, r, err, "cannot prepare a query");
}

/* A walk over one drive's rows within [since, until]: its query takes them as parameters 1 to 3. */
static int prepare_drive_walk(struct store *s, const char *sql, int64_t drive, int64_t since, int64_t until,
			      sqlite3_stmt **ret, struct wg_err *err)
{
	int r = prepare_walk(s, sql, ret, err);

	if (r >= 0) {
		sqlite3_bind_int64(*ret, 1, drive);
		sqlite3_bind_int64(*ret, 2, since);
		sqlite3_bind_int64(*ret, 3, until);
	}
	return r;
}

int store_foreach_sample(struct store *s, int64_t drive, int64_t since, int64_t until, store_sample_cb cb,
			 void *userdata, struct wg_err *err)
{
	struct chunk_row *ch = malloc(sizeof(*ch));
	struct store_sample *sample = malloc(sizeof(*sample));
	struct chunk_cursor c;
	sqlite3_stmt *st = NULL;
	int r;

	if (!ch || !sample) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	r = prepare_walk(s, stmt_sql[ST_CHUNKS_IN_RANGE], &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, until);
	while ((r = chunk_fetch(s, st, ch, err)) > 0) {
		bool have = false; /* *sample holds this chunk's previous sample */

		r = chunk_cursor_init(&c, ch->data, ch->len, ch->first_pass, ch->t0);
		while (r >= 0 && (r = chunk_cursor_next(&c)) > 0) {
			if (c.t < since || c.t > until) {
				have = false;
				continue;
			}
			/* most samples repeat the one before, or change only attribute values: decode what changed */
			if (have) {
				if (c.changed && frame_update_reading(c.frame, c.frame_len, c.changed_from, &sample->reading) < 0)
					r = wg_err_set(err, -EBADMSG, "'%s': a sample in chunk %lld is damaged", s->path,
						       (long long)ch->id);
				else if (c.changed)
					attach_defs(s, ch->drive_id, &sample->reading);
				sample->t = c.t;
				sample->pass_id = c.pass;
				sample->unchanged = !c.changed;
			} else {
				r = sample_from_cursor(s, ch, &c, sample, err);
				sample->unchanged = false;
			}
			have = r >= 0;
			if (r >= 0)
				r = cb(sample, userdata);
			if (r < 0)
				goto out;
		}
		if (r < 0) {
			r = wg_err_set(err, r, "'%s': chunk %lld is damaged", s->path, (long long)ch->id);
			goto out;
		}
	}
out:
	sqlite3_finalize(st);
	free(sample);
	free(ch);
	return r;
}

int store_last_pass(struct store *s, int64_t *ret_id, int64_t *ret_t, struct wg_err *err)
{
	sqlite3_stmt *st;
	int r;

	r = stmt(s, ST_LAST_PASS, &st, err);
	if (r < 0)
		return r;
	r = step_one(s, st, err);
	if (r == 0)
		r = -ENOENT;
	if (r > 0) {
		*ret_id = sqlite3_column_int64(st, 0);
		*ret_t = sqlite3_column_int64(st, 1);
		r = 0;
	}
	sqlite3_reset(st);
	return r;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* The columns of HEAD_COLS from col on, of drive's head row (row: there is one); ret->drive is drive. */
static void head_read(sqlite3_stmt *st, int col, int64_t drive, bool row, struct head *ret)
{
	const uint8_t *b = row ? sqlite3_column_blob(st, col) : NULL;
	size_t len = row ? (size_t)sqlite3_column_bytes(st, col) : 0;

	ret->drive = drive;
	/* a row the job facts made, or whose signs were cleared to be recorded again, knows no sign */
	ret->found = row && sqlite3_column_type(st, col) != SQLITE_NULL;
	ret->n = 0;
	ret->episode = -1;
	ret->have_episode = false;
	ret->jobs_stamp = -2;
	if (!row)
		return;
	for (size_t off = 0; b && off + HEAD_RECORD <= len && ret->n < HEAD_SIGNS_MAX; off += HEAD_RECORD) {
		struct store_sign *sg = &ret->signs[ret->n++];

		sg->code = (int)(int32_t)get_le32(b + off);
		sg->t = (int64_t)get_le64(b + off + 4);
		sg->t_prev = (int64_t)get_le64(b + off + 12);
		sg->from = (int64_t)get_le64(b + off + 20);
		sg->to = (int64_t)get_le64(b + off + 28);
	}
	if (sqlite3_column_type(st, col + 1) != SQLITE_NULL)
		ret->episode = sqlite3_column_int64(st, col + 1);
	if (ret->episode >= 0 && sqlite3_column_type(st, col + 2) != SQLITE_NULL) {
		ret->have_episode = true;
		ret->e.id = ret->episode;
		ret->e.drive_id = drive;
		ret->e.start = sqlite3_column_int64(st, col + 2);
		copy_text(st, col + 3, ret->e.state, sizeof(ret->e.state));
		copy_text(st, col + 4, ret->e.sign, sizeof(ret->e.sign));
		ret->e.notified = sqlite3_column_int(st, col + 5) != 0;
	}
	if (sqlite3_column_type(st, col + 6) != SQLITE_NULL) {
		ret->jobs_stamp = sqlite3_column_int64(st, col + 6);
		ret->heavy_end = sqlite3_column_int64(st, col + 7);
		ret->backup_ok = sqlite3_column_int64(st, col + 8);
	}
}

/*
 * Keep a head read for the statements after it in the same transaction (every transaction
 * begins by forgetting it); outside one, each statement reads its own state of the history.
 */
static void head_keep(struct store *s, const struct head *h)
{
	if (sqlite3_get_autocommit(s->db))
		return;
	if (!s->head)
		s->head = malloc(sizeof(*s->head));
	if (s->head)
		head_copy(s->head, h);
}

static int head_get(struct store *s, int64_t drive, struct head *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	/* a gate reads a drive's signs and then its episode: one read of the head serves both */
	if (s->head && s->head->drive == drive && !sqlite3_get_autocommit(s->db)) {
		head_copy(ret, s->head);
		return 0;
	}
	r = stmt(s, ST_HEAD_GET, &st, err);
	head_read(st, 0, drive, false, ret);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	r = step_one(s, st, err);
	if (r > 0)
		head_read(st, 0, drive, true, ret);
	sqlite3_reset(st);
	if (r < 0)
		return r;
	head_keep(s, ret);
	return 0;
}

int store_sign_add(struct store *s, int64_t drive, const struct store_sign *sg, struct wg_err *err)
{
	uint8_t blob[HEAD_SIGNS_MAX * HEAD_RECORD];
	struct head *h = NULL;
	sqlite3_stmt *st = NULL;
	size_t i;
	int r = stmt(s, ST_SIGN_INSERT, &st, err);

	caches_forget(s);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int(st, 2, sg->code);
	sqlite3_bind_int64(st, 3, sg->t);
	if (sg->t_prev >= 0)
		sqlite3_bind_int64(st, 4, sg->t_prev);
	if (sg->from >= 0)
		sqlite3_bind_int64(st, 5, sg->from);
	sqlite3_bind_int64(st, 6, sg->to);
	r = step_done(s, st, err, "cannot record a sign");
	/* and the head, in the same transaction: the newest as recorded is the one just added */
	h = r >= 0 ? malloc(sizeof(*h)) : NULL;
	if (r >= 0 && !h)
		r = wg_err_set(err, -ENOMEM, "out of memory");
	if (r >= 0)
		r = head_get(s, drive, h, err);
	if (r < 0)
		goto out;
	for (i = 0; i < h->n && h->signs[i].code != sg->code; i++)
		;
	if (i == HEAD_SIGNS_MAX) {
		r = wg_err_set(err, -E2BIG, "'%s': drive %lld has more than %d signs", s->path, (long long)drive,
			       HEAD_SIGNS_MAX);
		goto out;
	}
	h->signs[i] = *sg;
	if (i == h->n)
		h->n++;
	for (size_t k = 0; k < h->n; k++) {
		uint8_t *p = blob + k * HEAD_RECORD;

		put_le32(p, (uint32_t)h->signs[k].code);
		put_le64(p + 4, (uint64_t)h->signs[k].t);
		put_le64(p + 12, (uint64_t)h->signs[k].t_prev);
		put_le64(p + 20, (uint64_t)h->signs[k].from);
		put_le64(p + 28, (uint64_t)h->signs[k].to);
	}
	r = stmt(s, ST_HEAD_SIGNS, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, drive);
		sqlite3_bind_blob(st, 2, blob, (int)(h->n * HEAD_RECORD), SQLITE_STATIC);
		r = step_done(s, st, err, "cannot record a sign");
	}
out:
	caches_forget(s);
	free(h);
	return r;
}

static void sign_read(sqlite3_stmt *st, int col, struct store_sign *ret)
{
	ret->t = sqlite3_column_int64(st, col);
	ret->t_prev = sqlite3_column_int64(st, col + 1);
	ret->from = sqlite3_column_int64(st, col + 2);
	ret->to = sqlite3_column_int64(st, col + 3);
}

/* One sign's newest change stamped at or before until, by a seek: 1 found, 0 none. */
static int sign_seek(struct store *s, int64_t drive, int code, int64_t until, struct store_sign *ret,
		     struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_SIGN_CURRENT, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int(st, 2, code);
	sqlite3_bind_int64(st, 3, until);
	r = step_one(s, st, err);
	if (r > 0) {
		ret->code = code;
		sign_read(st, 0, ret);
	}
	sqlite3_reset(st);
	return r;
}

int store_signs_current(struct store *s, int64_t drive, int64_t until, const int *codes, size_t n, store_sign_cb cb,
			void *userdata, struct wg_err *err)
{
	struct head *h = malloc(sizeof(*h));
	int r;

	if (!h)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = head_get(s, drive, h, err);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const struct store_sign *have = NULL;
		struct store_sign sg;

		for (size_t k = 0; k < h->n && !have; k++)
			if (h->signs[k].code == codes[i])
				have = &h->signs[k];
		/* the head answers, but for a change stamped later than until (a clock that was ahead) */
		if (have && have->t <= until) {
			r = cb(have, userdata);
		} else if (have || !h->found) {
			r = sign_seek(s, drive, codes[i], until, &sg, err);
			if (r > 0)
				r = cb(&sg, userdata);
		}
	}
	free(h);
	return r < 0 ? r : 0;
}

int store_foreach_sign(struct store *s, int64_t drive, int64_t after, int64_t until, int below_code, store_sign_cb cb,
		       void *userdata, struct wg_err *err)
{
	struct store_sign sg;
	sqlite3_stmt *st = NULL;
	/* a cached statement, on every gate's path: the callback must not walk the signs itself */
	int r = stmt(s, ST_SIGNS_AFTER, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, until);
	sqlite3_bind_int(st, 4, below_code);
	while ((r = step_one(s, st, err)) > 0) {
		sg.code = sqlite3_column_int(st, 0);
		sign_read(st, 1, &sg);
		r = cb(&sg, userdata);
		if (r < 0)
			break;
	}
	sqlite3_reset(st);
	return r;
}

int store_episode_add(struct store *s, int64_t drive, const struct store_episode *e, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_EPISODE_INSERT, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int64(st, 2, e->start);
	sqlite3_bind_text(st, 3, e->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->sign, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, e->notified);
	r = step_done(s, st, err, "cannot record a state");
	caches_forget(s);
	if (r >= 0)
		r = stmt(s, ST_HEAD_EPISODE, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, drive);
		sqlite3_bind_int64(st, 2, sqlite3_last_insert_rowid(s->db));
		r = step_done(s, st, err, "cannot record a state");
	}
	return r;
}

static void copy_text(sqlite3_stmt *st, int col, char *buf, size_t len);

static void episode_read(sqlite3_stmt *st, int64_t drive, struct store_episode *ret)
{
	ret->id = sqlite3_column_int64(st, 0);
	ret->drive_id = drive;
	ret->start = sqlite3_column_int64(st, 1);
	copy_text(st, 2, ret->state, sizeof(ret->state));
	copy_text(st, 3, ret->sign, sizeof(ret->sign));
	ret->notified = sqlite3_column_int(st, 4) != 0;
}

int store_episode_current(struct store *s, int64_t drive, int64_t until, struct store_episode *ret,
			  struct wg_err *err)
{
	struct head *h = malloc(sizeof(*h));
	sqlite3_stmt *st = NULL;
	int r;

	if (!h)
		return wg_err_set(err, -ENOMEM, "out of memory");
	/* the head's, when it started in time; else the newest that did, found among the drive's */
	r = head_get(s, drive, h, err);
	if (r >= 0 && h->have_episode && h->e.start <= until) {
		*ret = h->e;
		free(h);
		return 0;
	}
	free(h);
	if (r >= 0)
		r = stmt(s, ST_EPISODE_CURRENT, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int64(st, 2, until);
	r = step_one(s, st, err);
	if (r > 0)
		episode_read(st, drive, ret);
	sqlite3_reset(st);
	return r < 0 ? r : r > 0 ? 0 : -ENOENT;
}

int store_foreach_episode(struct store *s, int64_t drive, int64_t since, int64_t until, store_episode_cb cb,
			  void *userdata, struct wg_err *err)
{
	struct store_episode *e = malloc(sizeof(*e));
	sqlite3_stmt *st = NULL;
	int r;

	if (!e)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = prepare_drive_walk(s,
			       "SELECT rowid, start, state, sign, notified FROM episode WHERE drive_id = ? "
			       "AND start BETWEEN ? AND ? ORDER BY rowid",
			       drive, since, until, &st, err);
	while (r >= 0 && (r = step_one(s, st, err)) > 0) {
		episode_read(st, drive, e);
		r = cb(e, userdata);
	}
	sqlite3_finalize(st);
	free(e);
	return r;
}

int store_foreach_episode_untold(struct store *s, store_episode_cb cb, void *userdata, struct wg_err *err)
{
	struct store_episode *e = malloc(sizeof(*e));
	sqlite3_stmt *st = NULL;
	int r;

	if (!e)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = prepare_walk(s, "SELECT rowid, start, state, sign, notified, drive_id FROM episode INDEXED BY episode_untold "
			    "WHERE notified = 0 ORDER BY rowid",
			 &st, err);
	while (r >= 0 && (r = step_one(s, st, err)) > 0) {
		episode_read(st, sqlite3_column_int64(st, 5), e);
		r = cb(e, userdata);
	}
	sqlite3_finalize(st);
	free(e);
	return r;
}

int store_drive_name(struct store *s, int64_t drive, char *buf, size_t len, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_DRIVE_NAME, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	r = step_one(s, st, err);
	if (r > 0)
		copy_text(st, 0, buf, len);
	sqlite3_reset(st);
	return r < 0 ? r : r > 0 ? 0 : -ENOENT;
}

int store_episode_set_notified(struct store *s, int64_t id, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_EPISODE_NOTIFIED, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	caches_forget(s);
	return step_done(s, st, err, "cannot record that a state was told");
}

int store_meta_get(struct store *s, const char *key, char *buf, size_t len, struct wg_err *err)
{
	struct meta_cache *m = NULL;
	sqlite3_stmt *st = NULL;
	int r;

	/* asked for every drive a gate judges: read once */
	for (size_t i = 0; i < s->n_meta; i++)
		if (strcmp(s->meta[i].key, key) == 0) {
			if (s->meta[i].found)
				wg_strlcpy(buf, s->meta[i].value, len);
			return s->meta[i].found ? 0 : -ENOENT;
		}
	r = stmt(s, ST_META_GET, &st, err);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = step_one(s, st, err);
	if (s->n_meta < WG_ELEMENTSOF(s->meta) && strlen(key) < sizeof(s->meta[0].key) && r >= 0) {
		m = &s->meta[s->n_meta++];
		wg_strlcpy(m->key, key, sizeof(m->key));
		m->found = r > 0;
		m->value[0] = '\0';
	}
	if (r > 0) {
		copy_text(st, 0, buf, len);
		if (m && wg_strlcpy(m->value, buf, sizeof(m->value)) < 0)
			s->n_meta--; /* too long to keep: read it each time */
	}
	sqlite3_reset(st);
	return r < 0 ? r : r > 0 ? 0 : -ENOENT;
}

int store_meta_set(struct store *s, const char *key, const char *value, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_META_SET, &st, err);

	caches_forget(s);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return step_done(s, st, err, "cannot record a setting");
}

int store_signs_clear(struct store *s, bool episodes_only, struct wg_err *err)
{
	int r;

	caches_forget(s);
	r = exec(s, "DELETE FROM episode; UPDATE drive_head SET episode = NULL", err, "cannot clear the states");

	if (r >= 0 && !episodes_only)
		r = exec(s, "DELETE FROM sign_change; UPDATE drive_head SET signs = NULL", err, "cannot clear the signs");
	return r;
}

int store_drive_ids(struct store *s, int64_t **ret_ids, size_t *ret_n, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int r = prepare_walk(s, "SELECT id FROM drive ORDER BY id", &st, err);

	while (r >= 0 && (r = step_one(s, st, err)) > 0) {
		if (n == cap) {
			int64_t *x = realloc(ids, (cap = cap ? 2 * cap : 16) * sizeof(*x));

			if (!x) {
				r = wg_err_set(err, -ENOMEM, "out of memory");
				break;
			}
			ids = x;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (r < 0) {
		free(ids);
		return r;
	}
	*ret_ids = ids;
	*ret_n = n;
	return 0;
}

/* The newest of what a query finds stamped after now: 1 with *ret set, 0 none. */
static int newest_after(struct store *s, const char *sql, int64_t now, int64_t *ret_t, int64_t *ret_n,
			struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s, sql, &st, err);

	if (r >= 0) {
		sqlite3_bind_int64(st, 1, now);
		r = step_one(s, st, err);
	}
	if (r > 0) {
		*ret_n = sqlite3_column_int64(st, 0);
		*ret_t = sqlite3_column_int64(st, 1);
		r = *ret_n > 0;
	}
	sqlite3_finalize(st);
	return r;
}

int store_ahead_of(struct store *s, int64_t now, struct store_ahead *ret, struct wg_err *err)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = newest_after(s, "SELECT count(*), max(t) FROM pass WHERE t > ?1", now, &ret->newest_sample, &ret->samples,
			 err);
	if (r >= 0)
		r = newest_after(s,
				 "SELECT count(*), max(max(started, coalesce(ended, started))) FROM job_run "
				 "WHERE started > ?1 OR ended > ?1",
				 now, &ret->newest_run, &ret->runs, err);
	if (r >= 0)
		r = newest_after(s, "SELECT count(*), max(t) FROM decision WHERE t > ?1", now, &ret->newest_decision,
				 &ret->decisions, err);
	return r < 0 ? r : 0;
}

int store_foreach_clock_step(struct store *s, int64_t since, int64_t until, store_clock_step_cb cb, void *userdata,
			     struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s, "SELECT t, back_from FROM clock_step WHERE t BETWEEN ? AND ? ORDER BY rowid", &st, err);

	if (r >= 0) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int64(st, 2, until);
	}
	while (r >= 0 && (r = step_one(s, st, err)) > 0)
		r = cb(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), userdata);
	sqlite3_finalize(st);
	return r;
}

/* A write of its own: one transaction, whole or not at all. */
static int write_begin(struct store *s, struct wg_err *err)
{
	if (s->in_pass)
		return wg_err_set(err, -EBUSY, "a sampling pass is open");
	caches_forget(s);
	return exec(s, "BEGIN IMMEDIATE", err, "cannot begin a write");
}

static int write_end(struct store *s, int r, struct wg_err *err)
{
	if (r >= 0)
		r = exec(s, "COMMIT", err, "cannot commit");
	if (r < 0) {
		caches_forget(s);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return r;
}

int store_read_begin(struct store *s, struct wg_err *err)
{
	int r;

	if (!sqlite3_get_autocommit(s->db))
		return 0;
	/* what was kept from an earlier read may be another process's old one */
	caches_forget(s);
	/* deferred: the read lock is taken by the first statement, and is the only lock taken */
	r = exec(s, "BEGIN", err, "cannot begin a read");
	return r < 0 ? r : 1;
}

void store_read_end(struct store *s, int began)
{
	if (began == 1 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

int store_transaction_begin(struct store *s, struct wg_err *err)
{
	/* what this connection kept may be out of date by the time it holds the write lock */
	caches_forget(s);
	return write_begin(s, err);
}

int store_transaction_end(struct store *s, int r, struct wg_err *err)
{
	return write_end(s, r, err);
}

static int jobs_head_refresh(struct store *s, int64_t drive, int64_t stamp, struct wg_err *err);
static int jobs_heads_refresh(struct store *s, sqlite3_stmt *st, int64_t stamp, const char *what, struct wg_err *err);

int store_job_run_begin(struct store *s, const char *job, const char *class, int64_t started,
			const int64_t *drive_ids, size_t n, const char *verdict, int64_t *ret_id, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t id = -1;
	int r;

	r = write_begin(s, err);
	if (r < 0)
		return r;
	r = stmt(s, ST_RUN_INSERT, &st, err);
	if (r >= 0) {
		sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, class, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, started);
		if (verdict)
			sqlite3_bind_text(st, 4, verdict, -1, SQLITE_STATIC);
		r = step_done(s, st, err, "cannot record a job run");
		id = sqlite3_last_insert_rowid(s->db);
	}
	for (size_t i = 0; r >= 0 && i < n; i++) {
		bool seen = false;

		/* one disk under two names is one drive of the run */
		for (size_t k = 0; k < i; k++)
			seen |= drive_ids[k] == drive_ids[i];
		if (seen)
			continue;
		r = stmt(s, ST_RUN_DRIVE_INSERT, &st, err);
		if (r < 0)
			break;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, drive_ids[i]);
		sqlite3_bind_int64(st, 3, started);
		r = step_done(s, st, err, "cannot record a job run");
	}
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = jobs_head_refresh(s, drive_ids[i], started, err);
	r = write_end(s, r, err);
	if (r >= 0)
		*ret_id = id;
	return r;
}

int store_job_run_end(struct store *s, int64_t id, int64_t ended, const char *outcome, int exit_status,
		      const char *reason, const char *output, struct wg_err *err)
{
	return store_job_run_end_output(s, id, ended, outcome, exit_status, reason, output, output ? strlen(output) : 0,
					err);
}

int store_job_run_end_output(struct store *s, int64_t id, int64_t ended, const char *outcome, int exit_status,
			     const char *reason, const char *output, size_t output_len, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = write_begin(s, err);
	if (r < 0)
		return r;
	r = stmt(s, ST_RUN_END, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, ended);
		sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, exit_status);
		if (reason)
			sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
		/* with its length: a NUL byte of the job's is output like any other */
		if (output)
			sqlite3_bind_text(st, 5, output, (int)output_len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, id);
		r = step_done(s, st, err, "cannot record the end of a job run");
		if (r >= 0 && sqlite3_changes(s->db) != 1)
			r = wg_err_set(err, -ENOENT, "'%s': no job run %lld", s->path, (long long)id);
	}
	if (r >= 0)
		r = stmt(s, ST_RUN_DRIVES_END, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, ended);
		sqlite3_bind_int64(st, 2, id);
		r = jobs_heads_refresh(s, st, ended, "cannot record the end of a job run", err);
	}
	return write_end(s, r, err);
}

/* The facts of ST_LAST_JOBS, counting the runs stamped up to until. */
static int last_jobs_ask(struct store *s, int64_t drive, int64_t until, int64_t *ret_heavy_end,
			 int64_t *ret_backup_ok, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_LAST_JOBS, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	sqlite3_bind_int64(st, 2, until);
	r = step_one(s, st, err);
	if (r > 0) {
		*ret_heavy_end = sqlite3_column_int64(st, 0);
		*ret_backup_ok = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return r < 0 ? r : 0;
}

int store_last_jobs(struct store *s, int64_t drive, int64_t until, int64_t *ret_heavy_end, int64_t *ret_backup_ok,
		    struct wg_err *err)
{
	struct head *h = malloc(sizeof(*h));
	int r;

	if (!h)
		return wg_err_set(err, -ENOMEM, "out of memory");
	/* no run stamped later than until: the head's facts, which count every run, are the answer */
	r = head_get(s, drive, h, err);
	if (r >= 0 && h->jobs_stamp >= -1 && h->jobs_stamp <= until) {
		*ret_heavy_end = h->heavy_end;
		*ret_backup_ok = h->backup_ok;
	} else if (r >= 0) {
		r = last_jobs_ask(s, drive, until, ret_heavy_end, ret_backup_ok, err);
	}
	free(h);
	return r;
}

/*
 * The head's job facts again, after a write to the drive's runs that stamped none later than
 * stamp (in the writer's transaction). The facts are asked of the runs' indexes; the stamp
 * only grows, and is read from every run only when the head has none.
 */
static int jobs_head_refresh(struct store *s, int64_t drive, int64_t stamp, struct wg_err *err)
{
	struct head *h = malloc(sizeof(*h));
	int64_t heavy_end = -1, backup_ok = -1;
	sqlite3_stmt *st = NULL;
	int r;

	if (!h)
		return wg_err_set(err, -ENOMEM, "out of memory");
	caches_forget(s);
	r = head_get(s, drive, h, err);
	if (r >= 0)
		r = last_jobs_ask(s, drive, INT64_MAX, &heavy_end, &backup_ok, err);
	if (r >= 0 && h->jobs_stamp < -1 && (r = stmt(s, ST_JOBS_STAMP, &st, err)) >= 0) {
		sqlite3_bind_int64(st, 1, drive);
		r = step_one(s, st, err);
		if (r > 0 && sqlite3_column_type(st, 0) != SQLITE_NULL)
			h->jobs_stamp = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (h->jobs_stamp > stamp)
		stamp = h->jobs_stamp;
	if (heavy_end > stamp)
		stamp = heavy_end;
	free(h);
	if (r >= 0)
		r = stmt(s, ST_HEAD_JOBS, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, drive);
		sqlite3_bind_int64(st, 2, stamp < -1 ? -1 : stamp);
		sqlite3_bind_int64(st, 3, heavy_end);
		sqlite3_bind_int64(st, 4, backup_ok);
		r = step_done(s, st, err, "cannot record a drive's job facts");
	}
	caches_forget(s);
	return r;
}

/* The same for the drives st (an UPDATE ... RETURNING drive_id, bound) returns, once it has run. */
static int jobs_heads_refresh(struct store *s, sqlite3_stmt *st, int64_t stamp, const char *what, struct wg_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;

	while (r >= 0 && (rc = step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		bool seen = false;

		for (size_t i = 0; i < n && !seen; i++)
			seen = ids[i] == id;
		if (!seen && n == cap) {
			int64_t *grown = realloc(ids, (cap = cap ? 2 * cap : 8) * sizeof(*ids));

			if (grown)
				ids = grown;
			else
				r = wg_err_set(err, -ENOMEM, "out of memory");
		}
		if (!seen && r >= 0)
			ids[n++] = id;
	}
	if (r >= 0 && rc != SQLITE_DONE)
		r = db_err(s, rc, err, what);
	sqlite3_reset(st);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = jobs_head_refresh(s, ids[i], stamp, err);
	free(ids);
	return r < 0 ? r : 0;
}

int store_decision_add(struct store *s, int64_t t, const char *job, const char *verdict, const char *reason,
		       const char *states, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	/*
	 * A decision is a record of what was said, not data the next decision depends on: its
	 * commit need not wait for the disk (a power loss may lose the last ones, never corrupt).
	 * OFF, not NORMAL: the first commit into a log just started over syncs the log's header
	 * under NORMAL. Nothing is lost by it: every commit that waits for the disk syncs the log
	 * (the decision's writes with it) first, and so does every checkpoint: one this commit
	 * brings due waits until syncs are back on (wal_hook).
	 */
	if (s->in_pass)
		return wg_err_set(err, -EBUSY, "a sampling pass is open");
	r = decision_syncs(s, false, err);
	if (r < 0)
		return r;
	r = write_begin(s, err);
	if (r >= 0) {
		r = stmt(s, ST_DECISION_INSERT, &st, err);
		if (r >= 0) {
			sqlite3_bind_int64(st, 1, t);
			sqlite3_bind_text(st, 2, job, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, verdict, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, states, -1, SQLITE_STATIC);
			r = step_done(s, st, err, "cannot record a decision");
		}
		r = write_end(s, r, err);
	}
	if (decision_syncs(s, true, r < 0 ? NULL : err) < 0 && r >= 0)
		r = -EIO;
	return r;
}

/*
 * Record the media counters of a run's drive as the samples of its passes before and after
 * say; a pass not recorded, or a count unknown in it, stays NULL.
 */
static int run_drive_count(struct store *s, int64_t run, int64_t drive, int64_t pass_before, int64_t pass_after,
			   struct wg_err *err)
{
	struct store_sample *x = malloc(sizeof(*x));
	int64_t v[6] = { -1, -1, -1, -1, -1, -1 };
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (!x)
		return wg_err_set(err, -ENOMEM, "out of memory");
	for (int k = 0; k < 2 && r >= 0; k++) {
		struct smart_derived d;

		r = store_sample_get(s, drive, k ? pass_after : pass_before, x, err);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		attrs_derive(&x->reading, &d);
		v[3 * k] = d.reallocated;
		v[3 * k + 1] = d.pending;
		v[3 * k + 2] = d.offline_uncorrectable;
	}
	free(x);
	if (r >= 0)
		r = stmt(s, ST_RUN_DRIVE_COUNTS, &st, err);
	if (r >= 0) {
		for (int i = 0; i < 6; i++)
			if (v[i] >= 0)
				sqlite3_bind_int64(st, i + 1, v[i]);
		sqlite3_bind_int64(st, 7, run);
		sqlite3_bind_int64(st, 8, drive);
		r = step_done(s, st, err, "cannot record a job run's counters");
	}
	return r;
}

/* Schema 4: the counters of the runs recorded before it, from their samples. */
static int backfill_run_counts(struct store *s, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s, stmt_sql[ST_RUN_DRIVES_UNCOUNTED], &st, err);

	while (r >= 0 && (r = step_one(s, st, err)) > 0)
		r = run_drive_count(s, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), err);
	sqlite3_finalize(st);
	return r;
}

int store_job_run_drive_set(struct store *s, int64_t run, int64_t drive, int64_t sectors_read,
			    int64_t sectors_written, int64_t pass_before, int64_t pass_after, struct wg_err *err)
{
	const int64_t v[4] = { sectors_read, sectors_written, pass_before, pass_after };
	sqlite3_stmt *st = NULL;
	int r;

	r = write_begin(s, err);
	if (r < 0)
		return r;
	r = stmt(s, ST_RUN_DRIVE_SET, &st, err);
	if (r >= 0) {
		/* what is not known stays NULL, never a number */
		for (int i = 0; i < 4; i++)
			if (v[i] >= 0)
				sqlite3_bind_int64(st, i + 1, v[i]);
		sqlite3_bind_int64(st, 5, run);
		sqlite3_bind_int64(st, 6, drive);
		r = step_done(s, st, err, "cannot record what a job did to a drive");
		if (r >= 0 && sqlite3_changes(s->db) != 1)
			r = wg_err_set(err, -ENOENT, "'%s': job run %lld did not touch drive %lld", s->path,
				       (long long)run, (long long)drive);
	}
	if (r >= 0)
		r = run_drive_count(s, run, drive, pass_before, pass_after, err);
	return write_end(s, r, err);
}

int store_job_runs_interrupted(struct store *s, int64_t now, int *ret_n, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = write_begin(s, err);
	if (r < 0)
		return r;
	/* the drives first: they find their runs by being open */
	r = stmt(s, ST_RUN_DRIVES_INTERRUPTED, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, now);
		r = jobs_heads_refresh(s, st, now, "cannot record interrupted job runs", err);
	}
	if (r >= 0)
		r = stmt(s, ST_RUNS_INTERRUPTED, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, now);
		r = step_done(s, st, err, "cannot record interrupted job runs");
		if (r >= 0)
			*ret_n = sqlite3_changes(s->db);
	}
	return write_end(s, r, err);
}

/* Close the hook runs open before started: of job (NULL: of any job) and, with expires_by >= 0, past their expiry. */
static int hook_runs_close(struct store *s, const char *job, int64_t ended, int64_t expires_by, const char *reason,
			   int *ret_n, struct wg_err *err)
{
	static const char *const sql[2][2] = {
		{ "UPDATE job_run_drive SET ended = ?1 WHERE ended IS NULL AND run_id IN (SELECT id FROM job_run "
		  "WHERE ended IS NULL AND origin = 'hook' AND expires <= ?2) RETURNING drive_id",
		  "UPDATE job_run SET ended = ?1, outcome = 'unreported', reason = ?3 WHERE ended IS NULL "
		  "AND origin = 'hook' AND expires <= ?2" },
		{ "UPDATE job_run_drive SET ended = ?1 WHERE ended IS NULL AND run_id IN (SELECT id FROM job_run "
		  "WHERE ended IS NULL AND origin = 'hook' AND job = ?4) RETURNING drive_id",
		  "UPDATE job_run SET ended = ?1, outcome = 'unreported', reason = ?3 WHERE ended IS NULL "
		  "AND origin = 'hook' AND job = ?4" },
	};
	int r = 0;

	for (int k = 0; k < 2 && r >= 0; k++) {
		sqlite3_stmt *st = NULL;

		r = prepare_walk(s, sql[job != NULL][k], &st, err);
		if (r >= 0) {
			sqlite3_bind_int64(st, 1, ended);
			sqlite3_bind_int64(st, 2, expires_by);
			sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
			if (job)
				sqlite3_bind_text(st, 4, job, -1, SQLITE_STATIC);
			/* the drives' runs first, and their drives' job facts with them */
			if (k == 0)
				r = jobs_heads_refresh(s, st, ended, "cannot close the runs whose end was not reported",
						       err);
			else
				r = step_done(s, st, err, "cannot close the runs whose end was not reported");
			if (r >= 0 && k == 1 && ret_n)
				*ret_n = sqlite3_changes(s->db);
		}
		sqlite3_finalize(st);
	}
	return r;
}

int store_job_runs_expire(struct store *s, int64_t now, int *ret_n, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r, n = 0;

	/* asked by every command that writes: a look first, so that the usual answer costs no write */
	r = prepare_walk(s, "SELECT count(*) FROM job_run INDEXED BY job_run_open WHERE ended IS NULL "
			    "AND origin = 'hook' AND expires <= ?",
			 &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, now);
		r = step_one(s, st, err);
		if (r > 0)
			n = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	if (r >= 0 && n > 0) {
		r = write_begin(s, err);
		if (r >= 0) {
			r = hook_runs_close(s, NULL, now, now, "no end reported within the job's timeout", &n, err);
			r = write_end(s, r, err);
		}
	}
	if (ret_n)
		*ret_n = r < 0 ? 0 : n;
	return r < 0 ? r : 0;
}

int store_hook_run_begin(struct store *s, const struct store_hook_start *h, int64_t *ret_id, struct wg_err *err)
{
	int64_t id = -1;
	int r = write_begin(s, err);

	if (r < 0)
		return r;
	/* a job started again has ended before, whether its end was reported or not */
	r = hook_runs_close(s, h->job, h->started, -1, "no end reported before the job's next start", NULL, err);
	if (r >= 0) {
		sqlite3_stmt *st = NULL;

		r = prepare_walk(s, "INSERT INTO job_run(job, class, started, verdict, origin, expires) "
				    "VALUES(?, ?, ?, ?, 'hook', ?)",
				 &st, err);
		if (r >= 0) {
			sqlite3_bind_text(st, 1, h->job, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, h->class, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, h->started);
			sqlite3_bind_text(st, 4, h->verdict, -1, SQLITE_STATIC);
			if (h->expires >= 0)
				sqlite3_bind_int64(st, 5, h->expires);
			r = step_done(s, st, err, "cannot record a job run");
			id = sqlite3_last_insert_rowid(s->db);
		}
		sqlite3_finalize(st);
	}
	for (size_t i = 0; r >= 0 && i < h->n; i++) {
		const struct store_hook_drive *d = &h->drives[i];
		sqlite3_stmt *st = NULL;
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen |= h->drives[k].drive_id == d->drive_id;
		if (seen)
			continue;
		r = prepare_walk(s, "INSERT INTO job_run_drive(run_id, drive_id, started, pass_before, io_read0, "
				    "io_written0) VALUES(?, ?, ?, ?, ?, ?)",
				 &st, err);
		if (r >= 0) {
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, d->drive_id);
			sqlite3_bind_int64(st, 3, h->started);
			if (d->pass_before >= 0)
				sqlite3_bind_int64(st, 4, d->pass_before);
			if (d->read0 >= 0 && d->written0 >= 0) {
				sqlite3_bind_int64(st, 5, d->read0);
				sqlite3_bind_int64(st, 6, d->written0);
			}
			r = step_done(s, st, err, "cannot record a job run");
		}
		sqlite3_finalize(st);
		/* the counters before are in the record from the start: a run whose end never comes still has them */
		if (r >= 0 && d->pass_before >= 0)
			r = run_drive_count(s, id, d->drive_id, d->pass_before, -1, err);
	}
	for (size_t i = 0; r >= 0 && i < h->n; i++)
		r = jobs_head_refresh(s, h->drives[i].drive_id, h->started, err);
	r = write_end(s, r, err);
	if (r >= 0)
		*ret_id = id;
	return r;
}

int store_hook_run_find(struct store *s, const char *job, struct store_hook_run *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	/* the newest of the job's runs, when a hook recorded it and its end is yet to come (or was given up on) */
	r = prepare_walk(s, "SELECT id, started, ended IS NULL FROM job_run INDEXED BY job_run_by_job WHERE job = ?1 "
			    "ORDER BY id DESC LIMIT 1",
			 &st, err);
	if (r >= 0) {
		sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
		r = step_one(s, st, err);
	}
	if (r > 0) {
		ret->id = sqlite3_column_int64(st, 0);
		ret->started = sqlite3_column_int64(st, 1);
		ret->open = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (r == 0)
		return -ENOENT;
	if (r > 0)
		/*
		 * An end that comes after the run was given up on is still its end, unless the job was
		 * gated since: then it may be an error hook's answer to that gate's refusal.
		 */
		r = prepare_walk(s, "SELECT origin = 'hook' AND (ended IS NULL OR (outcome = 'unreported' AND NOT EXISTS "
				    "(SELECT 1 FROM decision WHERE decision.job = job_run.job AND decision.t > job_run.started))) "
				    "FROM job_run WHERE id = ?",
				 &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, ret->id);
		r = step_one(s, st, err);
		if (r > 0 && !sqlite3_column_int(st, 0))
			r = 0;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (r == 0)
		return -ENOENT;
	if (r > 0)
		r = prepare_walk(s, "SELECT drive_id, coalesce(io_read0, -1), coalesce(io_written0, -1), "
				    "coalesce(pass_before, -1) FROM job_run_drive WHERE run_id = ? ORDER BY drive_id",
				 &st, err);
	if (r >= 0)
		sqlite3_bind_int64(st, 1, ret->id);
	while (r >= 0 && (r = step_one(s, st, err)) > 0 && ret->n < STORE_RUN_DRIVES_MAX) {
		struct store_hook_drive *d = &ret->drives[ret->n++];

		d->drive_id = sqlite3_column_int64(st, 0);
		d->read0 = sqlite3_column_int64(st, 1);
		d->written0 = sqlite3_column_int64(st, 2);
		d->pass_before = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int store_job_run_state(struct store *s, int64_t id, struct store_run_state *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s, "SELECT job, ended IS NULL, origin = 'hook', coalesce(session, -1) FROM job_run "
			     "WHERE id = ?",
			     &st, err);

	if (r >= 0) {
		sqlite3_bind_int64(st, 1, id);
		r = step_one(s, st, err);
	}
	if (r > 0) {
		copy_text(st, 0, ret->job, sizeof(ret->job));
		ret->open = sqlite3_column_int(st, 1);
		ret->hook = sqlite3_column_int(st, 2);
		ret->session = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int store_job_run_session_set(struct store *s, int64_t id, int64_t session, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = write_begin(s, err);

	if (r < 0)
		return r;
	r = prepare_walk(s, "UPDATE job_run SET session = ? WHERE id = ?", &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, session);
		sqlite3_bind_int64(st, 2, id);
		r = step_done(s, st, err, "cannot record a job's session");
	}
	sqlite3_finalize(st);
	return write_end(s, r, err);
}

/* A text column into a buffer of the caller's: what does not fit is cut where a character ends, and marked "…". */
static void copy_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	size_t n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;
	struct wg_text t;

	/* whole when it fits; else cut where wg_text cuts */
	if (n < len && (!v || !memchr(v, '\0', n))) {
		memcpy(buf, v ? v : "", n);
		buf[n] = '\0';
		return;
	}
	wg_text_init(&t, buf, len);
	buf[0] = '\0';
	wg_text_add(&t, "", "%s", v ? v : "");
}

int store_kernel_error_add(struct store *s, int64_t drive, int64_t t, int64_t run, const char *line,
			   struct wg_err *err)
{
	/* in the caller's transaction when there is one (the line with what it does to the drive's signs) */
	bool own = sqlite3_get_autocommit(s->db) != 0;
	sqlite3_stmt *st = NULL;
	int r;

	r = own ? write_begin(s, err) : 0;
	if (r < 0)
		return r;
	r = stmt(s, ST_KERNEL_ERROR_INSERT, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, drive);
		sqlite3_bind_int64(st, 2, t);
		if (run >= 0)
			sqlite3_bind_int64(st, 3, run);
		/* a kernel line is short; one that is not is cut, not refused */
		sqlite3_bind_text(st, 4, line, (int)strnlen(line, STORE_KERNEL_LINE_MAX - 1), SQLITE_STATIC);
		r = step_done(s, st, err, "cannot record a kernel error");
	}
	return own ? write_end(s, r, err) : r;
}

int store_foreach_drive_kernel_error(struct store *s, int64_t drive, int64_t since, int64_t until,
				     store_kernel_error_cb cb, void *userdata, struct wg_err *err)
{
	struct store_kernel_error *e = malloc(sizeof(*e));
	sqlite3_stmt *st = NULL;
	int r;

	if (!e)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = prepare_drive_walk(s,
			       "SELECT t, coalesce(run_id, -1), line FROM kernel_error WHERE drive_id = ? "
			       "AND t BETWEEN ? AND ? ORDER BY rowid",
			       drive, since, until, &st, err);
	while (r >= 0 && (r = step_one(s, st, err)) > 0) {
		e->drive_id = drive;
		e->t = sqlite3_column_int64(st, 0);
		e->run_id = sqlite3_column_int64(st, 1);
		copy_text(st, 2, e->line, sizeof(e->line));
		r = cb(e, userdata);
	}
	sqlite3_finalize(st);
	free(e);
	return r;
}

int store_kernel_error_latest(struct store *s, int64_t drive, struct store_kernel_error *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = stmt(s, ST_KERNEL_ERROR_LATEST, &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive);
	r = step_one(s, st, err);
	if (r > 0) {
		ret->drive_id = drive;
		ret->t = sqlite3_column_int64(st, 0);
		ret->run_id = sqlite3_column_int64(st, 1);
		copy_text(st, 2, ret->line, sizeof(ret->line));
		r = 0;
	} else if (r == 0) {
		r = -ENOENT;
	}
	sqlite3_reset(st);
	return r;
}

int store_foreach_kernel_error(struct store *s, int64_t run, store_kernel_error_cb cb, void *userdata,
			       struct wg_err *err)
{
	struct store_kernel_error *e = malloc(sizeof(*e));
	sqlite3_stmt *st = NULL;
	int r;

	if (!e)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = prepare_walk(s, "SELECT drive_id, t, line FROM kernel_error WHERE run_id = ? ORDER BY t, rowid", &st,
			 err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, run);
	while ((r = step_one(s, st, err)) > 0) {
		e->drive_id = sqlite3_column_int64(st, 0);
		e->t = sqlite3_column_int64(st, 1);
		e->run_id = run;
		copy_text(st, 2, e->line, sizeof(e->line));
		r = cb(e, userdata);
		if (r < 0)
			goto out;
	}
out:
	sqlite3_finalize(st);
	free(e);
	return r;
}

/* The drives of one run, their names as they were last sampled under. */
static int run_drives(struct store *s, struct store_job_run *run, struct wg_err *err)
{
	sqlite3_stmt *st = NULL, *nm = NULL;
	int r = stmt(s, ST_RUN_DRIVES, &st, err);

	run->n_drives = 0;
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, run->id);
	while ((r = step_one(s, st, err)) > 0 && run->n_drives < STORE_RUN_DRIVES_MAX) {
		struct store_job_run_drive *d = &run->drives[run->n_drives++];

		d->drive_id = sqlite3_column_int64(st, 0);
		d->sectors_read = sqlite3_column_int64(st, 1);
		d->sectors_written = sqlite3_column_int64(st, 2);
		d->pass_before = sqlite3_column_int64(st, 3);
		d->pass_after = sqlite3_column_int64(st, 4);
		d->before.reallocated = sqlite3_column_int64(st, 5);
		d->before.pending = sqlite3_column_int64(st, 6);
		d->before.offline_uncorrectable = sqlite3_column_int64(st, 7);
		d->after.reallocated = sqlite3_column_int64(st, 8);
		d->after.pending = sqlite3_column_int64(st, 9);
		d->after.offline_uncorrectable = sqlite3_column_int64(st, 10);
		d->name[0] = '\0';
	}
	sqlite3_reset(st);
	for (size_t i = 0; r >= 0 && i < run->n_drives; i++) {
		r = stmt(s, ST_DRIVE_NAME, &nm, err);
		if (r < 0)
			break;
		sqlite3_bind_int64(nm, 1, run->drives[i].drive_id);
		r = step_one(s, nm, err);
		if (r > 0)
			copy_text(nm, 0, run->drives[i].name, sizeof(run->drives[i].name));
		sqlite3_reset(nm);
	}
	return r < 0 ? r : 0;
}

int store_foreach_job_run(struct store *s, int64_t since, int64_t until, store_job_run_cb cb, void *userdata,
			  struct wg_err *err)
{
	struct store_job_run *run = malloc(sizeof(*run));
	sqlite3_stmt *st = NULL;
	int r;

	if (!run)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = prepare_walk(s, "SELECT id, job, class, started, coalesce(ended, -1), coalesce(outcome, ''), "
			    "coalesce(exit_status, -1), coalesce(verdict, ''), coalesce(reason, ''), "
			    "coalesce(output, ''), origin FROM job_run WHERE started BETWEEN ? AND ? ORDER BY started, id",
			    &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	while ((r = step_one(s, st, err)) > 0) {
		run->id = sqlite3_column_int64(st, 0);
		copy_text(st, 1, run->job, sizeof(run->job));
		copy_text(st, 2, run->class, sizeof(run->class));
		run->started = sqlite3_column_int64(st, 3);
		run->ended = sqlite3_column_int64(st, 4);
		copy_text(st, 5, run->outcome, sizeof(run->outcome));
		run->exit_status = sqlite3_column_int(st, 6);
		copy_text(st, 7, run->verdict, sizeof(run->verdict));
		copy_text(st, 8, run->reason, sizeof(run->reason));
		/* the bytes as recorded, NUL bytes included */
		run->output_len = (size_t)sqlite3_column_bytes(st, 9);
		if (run->output_len > sizeof(run->output) - 1)
			run->output_len = sizeof(run->output) - 1;
		if (run->output_len)
			memcpy(run->output, sqlite3_column_text(st, 9), run->output_len);
		run->output[run->output_len] = '\0';
		copy_text(st, 10, run->origin, sizeof(run->origin));
		r = run_drives(s, run, err);
		if (r >= 0)
			r = cb(run, userdata);
		if (r < 0)
			goto out;
	}
out:
	sqlite3_finalize(st);
	free(run);
	return r;
}

int store_foreach_decision(struct store *s, int64_t since, int64_t until, store_decision_cb cb, void *userdata,
			   struct wg_err *err)
{
	struct store_decision *d = malloc(sizeof(*d));
	sqlite3_stmt *st = NULL;
	int r;

	if (!d)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = prepare_walk(s, "SELECT id, t, job, verdict, reason, states FROM decision WHERE t BETWEEN ? AND ? "
			    "ORDER BY t, id",
			    &st, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	while ((r = step_one(s, st, err)) > 0) {
		d->id = sqlite3_column_int64(st, 0);
		d->t = sqlite3_column_int64(st, 1);
		copy_text(st, 2, d->job, sizeof(d->job));
		copy_text(st, 3, d->verdict, sizeof(d->verdict));
		d->reason = (const char *)sqlite3_column_text(st, 4);
		d->states = (const char *)sqlite3_column_text(st, 5);
		d->reason = d->reason ? d->reason : "";
		d->states = d->states ? d->states : "";
		r = cb(d, userdata);
		if (r < 0)
			goto out;
	}
out:
	sqlite3_finalize(st);
	free(d);
	return r;
}

/* One sample kept by a prune, its frame copied out of the chunk being thinned. */
struct kept {
	int64_t pass, t;
	size_t frame_len;
	uint8_t frame[FRAME_MAX];
};

/*
 * A prune takes the write lock for one batch at a time: the chunks of one drive (under one
 * name) holding about this many samples, thinned and written back in a transaction of their
 * own (some 50 ms here). A batch takes well under a second, and between two the lock is left
 * free for longer than a writer waiting for it sleeps between its tries (SQLite's busy handler
 * sleeps up to 100 ms): `sample` and `gate` go on meanwhile, not only in principle.
 */
#define PRUNE_BATCH_SAMPLES 200000
#define PRUNE_PAUSE_MS 120
/* The space freed is given back this many pages at a time, each step a transaction of its own. */
#define VACUUM_STEP_PAGES 1024

struct prune_drive {
	int64_t drive;
	char name[STORE_NAME_MAX];
	struct kept *kept;
	size_t n_kept, cap;
	int64_t *chunk_ids;
	size_t n_chunks, cap_chunks;
	/* the passes job runs point at (before and after them), sorted: attribution must not lose them */
	int64_t *refs;
	size_t n_refs, cap_refs;
	/* the walk: the last sample seen, its bucket and what the caller's key made of it */
	bool have_last;
	int64_t last_bucket;
	int64_t last_key[STORE_KEY_MAX];
	store_sample_key_fn key;
	/* the last sample decoded, so that one that changed only values decodes only them */
	struct smart_reading *reading;
	bool reading_valid;
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The passes of a drive that its job runs point at: one query per batch, not one per sample. */
static int prune_refs(struct store *s, struct prune_drive *pd, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s,
			     "SELECT pass_before FROM job_run_drive WHERE drive_id = ?1 AND pass_before IS NOT NULL "
			     "UNION ALL SELECT pass_after FROM job_run_drive WHERE drive_id = ?1 AND pass_after IS NOT NULL",
			     &st, err);

	pd->n_refs = 0;
	if (r >= 0)
		sqlite3_bind_int64(st, 1, pd->drive);
	while (r >= 0 && (r = step_one(s, st, err)) > 0) {
		if (pd->n_refs == pd->cap_refs) {
			size_t cap = pd->cap_refs ? 2 * pd->cap_refs : 64;
			int64_t *v = realloc(pd->refs, cap * sizeof(*v));

			if (!v) {
				r = wg_err_set(err, -ENOMEM, "out of memory");
				break;
			}
			pd->refs = v;
			pd->cap_refs = cap;
		}
		pd->refs[pd->n_refs++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (r >= 0 && pd->n_refs)
		qsort(pd->refs, pd->n_refs, sizeof(*pd->refs), cmp_i64);
	return r;
}

static bool pass_referenced(const struct prune_drive *pd, int64_t pass)
{
	return pd->n_refs && bsearch(&pass, pd->refs, pd->n_refs, sizeof(*pd->refs), cmp_i64);
}

/*
 * Whether a sample older than the full-resolution period stays: the first of its bucket; any
 * change of its status or of a media counter (the first non-zero included); a job run's
 * before or after. A sample the same as the one before has the same key: only a changed one
 * is decoded, and then only what changed.
 */
static bool keep_sample(struct store *s, struct prune_drive *pd, const struct chunk_cursor *c, int64_t thin_to)
{
	int64_t key[STORE_KEY_MAX];
	bool keep;

	if (pd->have_last && !c->changed && c->n > 1) {
		memcpy(key, pd->last_key, sizeof(key));
	} else {
		int k = pd->reading_valid && c->n > 1
				? frame_update_reading(c->frame, c->frame_len, c->changed_from, pd->reading)
				: frame_to_reading(c->frame, c->frame_len, pd->reading);

		/* a sample that cannot be read is kept, and so is the next: its key is unlike any */
		memset(key, 0xff, sizeof(key));
		key[0] = INT64_MIN;
		pd->reading_valid = k == 0;
		if (k == 0) {
			attach_defs(s, pd->drive, pd->reading);
			pd->key(pd->reading, key);
		}
	}
	keep = !pd->have_last || c->t / thin_to != pd->last_bucket || memcmp(key, pd->last_key, sizeof(key)) != 0 ||
	       pass_referenced(pd, c->pass);
	if (keep)
		pd->last_bucket = c->t / thin_to;
	pd->have_last = true;
	memcpy(pd->last_key, key, sizeof(key));
	return keep;
}

static int keep_push(struct prune_drive *pd, const struct chunk_cursor *c)
{
	if (pd->n_kept == pd->cap) {
		size_t cap = pd->cap ? 2 * pd->cap : 64;
		struct kept *v = realloc(pd->kept, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pd->kept = v;
		pd->cap = cap;
	}
	pd->kept[pd->n_kept].pass = c->pass;
	pd->kept[pd->n_kept].t = c->t;
	pd->kept[pd->n_kept].frame_len = c->frame_len;
	memcpy(pd->kept[pd->n_kept].frame, c->frame, c->frame_len);
	pd->n_kept++;
	return 0;
}

static int chunk_insert_as(struct store *s, int64_t id, int64_t drive, const char *name, int64_t first_pass,
			   int64_t last_pass, int64_t t0, int64_t t1, unsigned n, const uint8_t *data, size_t len,
			   struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT INTO chunk(id, drive_id, name, first_pass, last_pass, t0, t1, n, data) "
				    "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
				    -1, &st, NULL);
	int r;

	if (rc != SQLITE_OK)
		return db_err(s, rc, err, "cannot prepare a query");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, drive);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, first_pass);
	sqlite3_bind_int64(st, 5, last_pass);
	sqlite3_bind_int64(st, 6, t0);
	sqlite3_bind_int64(st, 7, t1);
	sqlite3_bind_int64(st, 8, n);
	sqlite3_bind_blob(st, 9, data, (int)len, SQLITE_STATIC);
	r = step_done(s, st, err, "cannot write a thinned chunk");
	sqlite3_finalize(st);
	return r;
}

/*
 * Write the kept samples back as chunks, under the rules of appending (a page, a span, time
 * forward), reusing the ids of the chunks they came from: chunks of a drive stay in id order
 * with their passes, which the newest-sample lookups count on. -ENOSPC when they need more.
 */
static int prune_write(struct store *s, const struct prune_drive *pd, struct wg_err *err)
{
	uint8_t *buf = malloc(CHUNK_MAX + CHUNK_RECORD_MAX), rec[CHUNK_RECORD_MAX];
	struct chunk_cursor c;
	size_t len = 0, used_ids = 0;
	int64_t first_pass = 0, t0 = 0, last_pass = 0, t1 = 0;
	int r = 0;

	if (!buf)
		return wg_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i <= pd->n_kept && r >= 0; i++) {
		const struct kept *k = i < pd->n_kept ? &pd->kept[i] : NULL;
		int n = -ERANGE;

		if (k && len > 0 && k->t >= c.t && k->t - t0 <= CHUNK_MAX_SPAN)
			n = chunk_record_encode(&c, k->pass, k->t, k->frame, k->frame_len, rec);
		if (n >= 0 && len + (size_t)n <= CHUNK_MAX) {
			memcpy(buf + len, rec, (size_t)n);
			len += (size_t)n;
		} else {
			if (len > 0) { /* the chunk so far is full, or the walk is over */
				if (used_ids == pd->n_chunks) {
					r = -ENOSPC;
					break;
				}
				r = chunk_insert_as(s, pd->chunk_ids[used_ids++], pd->drive, pd->name, first_pass,
						    last_pass, t0, t1, c.n, buf, len, err);
				len = 0;
			}
			if (!k || r < 0)
				break;
			first_pass = k->pass;
			t0 = k->t;
			chunk_cursor_init(&c, NULL, 0, first_pass, t0);
			n = chunk_record_encode(&c, k->pass, k->t, k->frame, k->frame_len, rec);
			if (n < 0) {
				r = wg_err_set(err, -EINVAL, "cannot encode a sample");
				break;
			}
			memcpy(buf, rec, (size_t)n);
			len = (size_t)n;
		}
		last_pass = k->pass;
		t1 = k->t;
		/* the cursor follows to the end of what is written, for the next record's change */
		chunk_cursor_init(&c, buf, len, first_pass, t0);
		while (chunk_cursor_next(&c) > 0)
			;
	}
	free(buf);
	return r;
}

/*
 * One batch of a drive's chunks (those under one name) that end before `before`, after chunk
 * *after_id: read, thinned and written back in one transaction. *after_id moves past the
 * batch; 0 when it was the last one.
 */
static int prune_batch(struct store *s, struct prune_drive *pd, int64_t before, int64_t thin_to, int64_t *after_id,
		       struct store_prune_stats *stats, struct wg_err *err)
{
	struct chunk_row *ch = malloc(sizeof(*ch));
	sqlite3_stmt *st = NULL;
	size_t samples = 0;
	bool more = false;
	int r, rc;

	if (!ch)
		return wg_err_set(err, -ENOMEM, "out of memory");
	pd->n_kept = pd->n_chunks = 0;
	r = write_begin(s, err);
	if (r >= 0)
		r = prune_refs(s, pd, err);
	if (r < 0)
		goto out;
	rc = sqlite3_prepare_v2(s->db,
				"SELECT " CHUNK_COLS " FROM chunk c " CHUNK_TAIL " WHERE c.drive_id = ? AND c.name = ? AND "
				CHUNK_T1 " < ? AND c.id > ? ORDER BY c.id",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		r = db_err(s, rc, err, "cannot prepare a query");
		goto out;
	}
	sqlite3_bind_int64(st, 1, pd->drive);
	sqlite3_bind_text(st, 2, pd->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, before);
	sqlite3_bind_int64(st, 4, *after_id);
	while ((r = chunk_fetch(s, st, ch, err)) > 0) {
		struct chunk_cursor c;

		if (samples >= PRUNE_BATCH_SAMPLES) {
			more = true; /* this chunk is the next batch's */
			break;
		}
		if (pd->n_chunks == pd->cap_chunks) {
			size_t cap = pd->cap_chunks ? 2 * pd->cap_chunks : 64;
			int64_t *ids = realloc(pd->chunk_ids, cap * sizeof(*ids));

			if (!ids) {
				r = wg_err_set(err, -ENOMEM, "out of memory");
				break;
			}
			pd->chunk_ids = ids;
			pd->cap_chunks = cap;
		}
		pd->chunk_ids[pd->n_chunks++] = ch->id;
		*after_id = ch->id;
		r = chunk_cursor_init(&c, ch->data, ch->len, ch->first_pass, ch->t0);
		while (r >= 0 && (r = chunk_cursor_next(&c)) > 0) {
			samples++;
			if (keep_sample(s, pd, &c, thin_to) && keep_push(pd, &c) < 0)
				r = -ENOMEM;
		}
		if (r < 0) {
			/* a damaged chunk is left as it is, and so is the rest of this drive */
			r = wg_err_set(err, r == -ENOMEM ? r : -EBADMSG, "'%s': chunk %lld is damaged", s->path,
				       (long long)ch->id);
			break;
		}
	}
	sqlite3_finalize(st);
	if (r < 0 || pd->n_kept == samples) /* nothing to thin */
		goto out;
	for (size_t i = 0; r >= 0 && i < pd->n_chunks; i++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "DELETE FROM chunk WHERE id = %lld", (long long)pd->chunk_ids[i]);
		r = exec(s, sql, err, "cannot thin");
		if (r >= 0)
			r = tail_delete(s, pd->chunk_ids[i], err);
	}
	if (r >= 0)
		r = prune_write(s, pd, err);
	if (r == -ENOSPC) { /* thinned, it would not fit where it was: keep it whole */
		write_end(s, -ENOSPC, NULL);
		free(ch);
		*after_id = more ? *after_id : 0;
		return 0;
	}
	if (r >= 0) {
		stats->samples += samples;
		stats->removed += samples - pd->n_kept;
	}
out:
	free(ch);
	r = write_end(s, r, err);
	if (r >= 0 && !more)
		*after_id = 0;
	return r;
}

/* Give the pages a prune freed back to the file system, a step at a time, when the history lets it. */
static int give_back(struct store *s, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t mode = 0, freed = 1;
	int r = prepare_walk(s, "PRAGMA auto_vacuum", &st, err);

	if (r >= 0 && (r = step_one(s, st, err)) > 0)
		mode = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (r < 0)
		return r;
	r = 0;
	if (mode != 2) {
		/*
		 * A history made before weargate kept it so: made so once, by a VACUUM, which holds
		 * the write lock for as long as it takes to copy the history (seconds).
		 */
		r = exec(s, "PRAGMA auto_vacuum = INCREMENTAL", err, "cannot vacuum");
		if (r >= 0)
			r = exec(s, "VACUUM", err, "cannot vacuum");
	}
	while (r >= 0 && freed > 0) {
		char sql[64];

		r = write_begin(s, err);
		snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)", VACUUM_STEP_PAGES);
		if (r >= 0)
			r = exec(s, sql, err, "cannot vacuum");
		r = write_end(s, r, err);
		if (r >= 0 && (r = prepare_walk(s, "PRAGMA freelist_count", &st, err)) >= 0) {
			r = step_one(s, st, err);
			freed = r > 0 ? sqlite3_column_int64(st, 0) : 0;
			r = r < 0 ? r : 0;
			sqlite3_finalize(st);
		}
		if (r >= 0 && freed > 0)
			sqlite3_sleep(PRUNE_PAUSE_MS);
	}
	/* and the file shrinks as the log is copied into it: without waiting for anyone */
	if (r >= 0 && !s->no_checkpoint)
		wal_copy_in(s->db, "main");
	return r;
}

int store_prune(struct store *s, int64_t before, int64_t thin_to, store_sample_key_fn key, struct store_prune_stats *ret,
		struct wg_err *err)
{
	struct store_prune_stats stats = { 0 };
	struct prune_drive *groups = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0;
	int r;

	if (thin_to <= 0)
		return wg_err_set(err, -EINVAL, "cannot thin to a span of %lld seconds", (long long)thin_to);
	if (s->in_pass)
		return wg_err_set(err, -EBUSY, "a sampling pass is open");
	r = prepare_walk(s,
			 "SELECT DISTINCT c.drive_id, c.name FROM chunk c " CHUNK_TAIL " WHERE " CHUNK_T1
			 " < ? ORDER BY c.drive_id, c.name",
			 &st, err);
	if (r >= 0)
		sqlite3_bind_int64(st, 1, before);
	while (r >= 0 && (r = step_one(s, st, err)) > 0) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (n == cap) {
			struct prune_drive *v = realloc(groups, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!v) {
				r = wg_err_set(err, -ENOMEM, "out of memory");
				break;
			}
			groups = v;
		}
		memset(&groups[n], 0, sizeof(groups[n]));
		groups[n].drive = sqlite3_column_int64(st, 0);
		groups[n].key = key;
		wg_strlcpy(groups[n].name, name ? name : "", sizeof(groups[n].name));
		n++;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct prune_drive *pd = &groups[i];
		int64_t after = INT64_MIN;

		pd->reading = malloc(sizeof(*pd->reading));
		if (!pd->reading)
			r = wg_err_set(err, -ENOMEM, "out of memory");
		while (r >= 0) {
			r = prune_batch(s, pd, before, thin_to, &after, &stats, err);
			if (after == 0)
				break;
			sqlite3_sleep(PRUNE_PAUSE_MS); /* the lock free for whoever waits for it */
		}
		if (i + 1 < n)
			sqlite3_sleep(PRUNE_PAUSE_MS);
		free(pd->kept);
		free(pd->chunk_ids);
		free(pd->refs);
		free(pd->reading);
	}
	free(groups);
	if (r >= 0 && stats.removed)
		r = give_back(s, err);
	if (r >= 0 && ret)
		*ret = stats;
	return r;
}

/* --- SMART self-tests and job periods ---------------------------------------------------------- */

/* One write of the self-test table, in the caller's transaction when there is one. */
static int self_test_write(struct store *s, const char *sql, const struct store_self_test *t, struct wg_err *err)
{
	bool own = sqlite3_get_autocommit(s->db) != 0;
	sqlite3_stmt *st = NULL;
	int r = own ? write_begin(s, err) : 0;

	if (r < 0)
		return r;
	r = prepare_walk(s, sql, &st, err);
	if (r >= 0) {
		sqlite3_bind_int64(st, 1, t->run_id);
		sqlite3_bind_int64(st, 2, t->drive_id);
		sqlite3_bind_text(st, 3, t->test, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, t->started);
		if (t->ended >= 0)
			sqlite3_bind_int64(st, 5, t->ended);
		if (t->result[0])
			sqlite3_bind_text(st, 6, t->result, -1, SQLITE_STATIC);
		if (t->status >= 0)
			sqlite3_bind_int(st, 7, t->status);
		if (t->detail[0])
			sqlite3_bind_text(st, 8, t->detail, -1, SQLITE_STATIC);
		r = step_done(s, st, err, "cannot record a self-test");
	}
	sqlite3_finalize(st);
	return own ? write_end(s, r, err) : r;
}

int store_self_test_set(struct store *s, const struct store_self_test *t, struct wg_err *err)
{
	return self_test_write(s,
			       "INSERT INTO self_test(run_id, drive_id, test, started, ended, result, status, detail) "
			       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(run_id, drive_id) DO UPDATE SET "
			       "ended = ?5, result = ?6, status = ?7, detail = ?8",
			       t, err);
}

#define SELF_TEST_COLS "run_id, drive_id, test, started, coalesce(ended, -1), coalesce(result, ''), coalesce(status, -1), coalesce(detail, '')"

static void self_test_row(sqlite3_stmt *st, struct store_self_test *t)
{
	t->run_id = sqlite3_column_int64(st, 0);
	t->drive_id = sqlite3_column_int64(st, 1);
	copy_text(st, 2, t->test, sizeof(t->test));
	t->started = sqlite3_column_int64(st, 3);
	t->ended = sqlite3_column_int64(st, 4);
	copy_text(st, 5, t->result, sizeof(t->result));
	t->status = sqlite3_column_int(st, 6);
	copy_text(st, 7, t->detail, sizeof(t->detail));
}

int store_self_test_latest(struct store *s, int64_t drive_id, int64_t until, bool ended_only,
			   struct store_self_test *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s,
			     ended_only ? "SELECT " SELF_TEST_COLS " FROM self_test WHERE drive_id = ?1 AND started <= ?2 "
					  "AND result IS NOT NULL AND result <> 'not started' ORDER BY started DESC, run_id DESC LIMIT 1"
					: "SELECT " SELF_TEST_COLS " FROM self_test WHERE drive_id = ?1 AND started <= ?2 "
					  "ORDER BY started DESC, run_id DESC LIMIT 1",
			     &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, drive_id);
	sqlite3_bind_int64(st, 2, until);
	r = step_one(s, st, err);
	if (r > 0)
		self_test_row(st, ret);
	sqlite3_finalize(st);
	return r < 0 ? r : r > 0 ? 0 : -ENOENT;
}

int store_foreach_self_test(struct store *s, int64_t run_id, store_self_test_cb cb, void *userdata,
			    struct wg_err *err)
{
	struct store_self_test t;
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s, "SELECT " SELF_TEST_COLS " FROM self_test WHERE run_id = ?1 ORDER BY drive_id", &st,
			     err);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, run_id);
	while ((r = step_one(s, st, err)) > 0) {
		self_test_row(st, &t);
		r = cb(&t, userdata);
		if (r < 0)
			break;
	}
	sqlite3_finalize(st);
	return r;
}

int store_job_last_success(struct store *s, const char *job, int64_t until, int64_t *ret_started, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s,
			     "SELECT max(started) FROM job_run INDEXED BY job_run_by_job WHERE job = ?1 "
			     "AND outcome = 'success' AND started <= ?2",
			     &st, err);

	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, job, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, until);
	r = step_one(s, st, err);
	if (r > 0 && sqlite3_column_type(st, 0) == SQLITE_NULL)
		r = 0;
	if (r > 0)
		*ret_started = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r < 0 ? r : r > 0 ? 0 : -ENOENT;
}

/*
 * Imported samples. What another tool kept is older than what weargate read itself: an
 * imported sample has a pass of its own time, numbered below every pass weargate records
 * (IMPORT_PASS_BASE + t, one per second, shared by the drives imported for that second), in
 * chunks numbered by their first pass and drive, below every chunk weargate writes. The
 * order of a drive's chunks by id and by pass is then the order of their times, as every
 * reader expects. A sample is imported only where the drive has none yet: before its first
 * sample that weargate read, and outside the span of every chunk it has.
 */
#define IMPORT_PASS_BASE (-(INT64_C(1) << 40))
#define IMPORT_CHUNK_DRIVE_BITS 20

struct import_state {
	int64_t drive; /* the chunk being built: -1 none */
	char name[STORE_NAME_MAX];
	uint8_t buf[CHUNK_MAX];
	size_t len;
	struct chunk_cursor c;
	int64_t first_pass, t0, last_pass, t1, limit_t;
	/* the drive whose bounds are known: its first own sample's time */
	int64_t bounds_drive, own_from;
	bool added;
};

int store_import_begin(struct store *s, struct wg_err *err)
{
	int r;

	if (s->import)
		return wg_err_set(err, -EBUSY, "an import is already open");
	r = write_begin(s, err);
	if (r < 0)
		return r;
	s->import = calloc(1, sizeof(*s->import));
	if (!s->import) {
		write_end(s, -ENOMEM, NULL);
		return wg_err_set(err, -ENOMEM, "out of memory");
	}
	s->import->drive = s->import->bounds_drive = -1;
	caches_forget(s);
	return 0;
}

static int import_flush(struct store *s, struct wg_err *err)
{
	struct import_state *x = s->import;
	int64_t id;
	int r;

	if (x->drive < 0)
		return 0;
	id = x->first_pass * (INT64_C(1) << IMPORT_CHUNK_DRIVE_BITS) + x->drive;
	r = chunk_insert_as(s, id, x->drive, x->name, x->first_pass, x->last_pass, x->t0, x->t1, x->c.n, x->buf, x->len,
			    err);
	x->drive = -1;
	x->len = 0;
	return r;
}

/* One value a query of a drive and a time gives: 1 with it, 0 with none (or NULL). */
static int query_i64(struct store *s, const char *sql, int64_t drive, int64_t t, int64_t *ret, struct wg_err *err)
{
	sqlite3_stmt *st = NULL;
	int r = prepare_walk(s, sql, &st, err);

	if (r >= 0) {
		sqlite3_bind_int64(st, 1, drive);
		sqlite3_bind_int64(st, 2, t);
		r = step_one(s, st, err);
		if (r > 0 && sqlite3_column_type(st, 0) == SQLITE_NULL)
			r = 0;
		if (r > 0)
			*ret = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return r;
}

int store_import_drive(struct store *s, const char *model, const char *serial, bool as_smartd, const char *name,
		       int64_t first_seen, int64_t *ret_drive, char *ret_name, size_t name_len, char ret_model[41],
		       char ret_serial[21], char *ret_firmware, size_t fw_len, struct wg_err *err)
{
	struct store_sample *x = NULL;
	sqlite3_stmt *st = NULL;
	int64_t drive = -1;
	int found = 0, r;

	if (!s->import)
		return wg_err_set(err, -EINVAL, "no import is open");
	/* smartd's file names keep only the letters and digits of a model and serial: compared so */
	r = prepare_walk(s, "SELECT id, model, serial FROM drive WHERE placeholder IS NULL ORDER BY id", &st, err);
	while (r >= 0 && (r = step_one(s, st, err)) > 0) {
		char m[41], sn[21];
		const char *dm = (const char *)sqlite3_column_text(st, 1), *ds = (const char *)sqlite3_column_text(st, 2);

		if (!dm || !ds)
			continue;
		if (as_smartd) {
			import_smartd_normalize(dm, m, sizeof(m));
			import_smartd_normalize(ds, sn, sizeof(sn));
		} else {
			wg_strlcpy(m, dm, sizeof(m));
			wg_strlcpy(sn, ds, sizeof(sn));
		}
		if (strcmp(m, model) != 0 || strcmp(sn, serial) != 0)
			continue;
		if (found++) {
			r = wg_err_set(err, -EEXIST, "'%s' '%s' is the model and serial of more than one drive in the history",
				       model, serial);
			break;
		}
		drive = sqlite3_column_int64(st, 0);
		wg_strlcpy(ret_model, dm, 41);
		wg_strlcpy(ret_serial, ds, 21);
	}
	sqlite3_finalize(st);
	if (r < 0)
		return r;
	ret_firmware[0] = '\0';
	if (!found) {
		wg_strlcpy(ret_model, model, 41);
		wg_strlcpy(ret_serial, serial, 21);
	}
	if (!found) {
		int64_t keep_t = s->pass_t;

		s->pass_t = first_seen;
		r = drive_id(s, model, serial, NULL, &drive, err);
		s->pass_t = keep_t;
		if (r < 0)
			return r;
		wg_strlcpy(ret_name, name, name_len);
	} else if (store_drive_name(s, drive, ret_name, name_len, err) == -ENOENT) {
		wg_strlcpy(ret_name, name, name_len);
	} else {
		/* the firmware of the drive as weargate last read it: its readings decode by it */
		sqlite3_stmt *q = NULL;

		x = malloc(sizeof(*x));
		r = x ? stmt(s, ST_CHUNK_LAST_OF_DRIVE, &q, err) : wg_err_set(err, -ENOMEM, "out of memory");
		if (r >= 0) {
			sqlite3_bind_int64(q, 1, drive);
			r = sample_in_chunk(s, q, 0, x, err);
			if (r >= 0 && x->reading.identity_valid)
				wg_strlcpy(ret_firmware, x->reading.identity.firmware, fw_len);
			r = r == -ENOENT ? 0 : r;
		}
		free(x);
		if (r < 0)
			return r;
	}
	*ret_drive = drive;
	return 0;
}

int store_import_sample(struct store *s, int64_t drive, const char *name, int64_t t, struct smart_reading *r,
			struct wg_err *err)
{
	struct import_state *x = s->import;
	uint8_t frame[FRAME_MAX], rec[CHUNK_RECORD_MAX];
	int64_t pass = IMPORT_PASS_BASE + t, v;
	size_t frame_len;
	sqlite3_stmt *st = NULL;
	int k, n;

	if (!x)
		return wg_err_set(err, -EINVAL, "no import is open");
	if (t <= 0 || t >= -IMPORT_PASS_BASE)
		return wg_err_set(err, -ERANGE, "time %lld is out of range", (long long)t);
	k = check_name(name, err);
	if (k < 0)
		return k;
	if (x->bounds_drive != drive) {
		x->bounds_drive = drive;
		x->own_from = INT64_MAX;
		k = query_i64(s, "SELECT min(t0) FROM chunk WHERE drive_id = ?1 AND first_pass > 0 AND ?2 = ?2", drive, 0,
			      &x->own_from, err);
		if (k < 0)
			return k;
		/* the drive's definitions, matched in the drive database now if it has none for this firmware */
		if (r->identity_valid) {
			k = resolve_defs(s, drive, r, err);
			if (k < 0)
				return k;
		}
	}
	if (t >= x->own_from)
		return 0; /* weargate read the drive itself by then */
	if (x->drive == drive && t <= x->t1)
		return 0; /* not after the sample before it: a repeat, or a clock set back */
	k = query_i64(s,
		      "SELECT 1 FROM chunk c INDEXED BY chunk_time " CHUNK_TAIL " WHERE c.drive_id = ?1 AND c.t0 "
		      "BETWEEN ?2 - " WG_STRINGIFY(CHUNK_MAX_SPAN) " AND ?2 AND " CHUNK_T1 " >= ?2",
		      drive, t, &v, err);
	if (k != 0)
		return k < 0 ? k : 0; /* a chunk already holds that time */
	frame_len = frame_from_reading(r, frame);
	n = -ERANGE;
	if (x->drive == drive && t < x->limit_t && t - x->t0 <= CHUNK_MAX_SPAN && strcmp(x->name, name) == 0)
		n = chunk_record_encode(&x->c, pass, t, frame, frame_len, rec);
	if (n < 0 || x->len + (size_t)n > CHUNK_MAX) {
		k = import_flush(s, err);
		if (k < 0)
			return k;
		/* the next chunk after this time bounds the new one: chunks never overlap in time */
		x->limit_t = INT64_MAX;
		k = query_i64(s, "SELECT min(t0) FROM chunk WHERE drive_id = ?1 AND t0 > ?2", drive, t, &x->limit_t, err);
		if (k < 0)
			return k;
		if (x->own_from < x->limit_t)
			x->limit_t = x->own_from;
		x->drive = drive;
		wg_strlcpy(x->name, name, sizeof(x->name));
		x->first_pass = pass;
		x->t0 = t;
		chunk_cursor_init(&x->c, NULL, 0, pass, t);
		n = chunk_record_encode(&x->c, pass, t, frame, frame_len, rec);
		if (n < 0 || (size_t)n > CHUNK_MAX)
			return wg_err_set(err, -EINVAL, "cannot encode a sample");
	}
	memcpy(x->buf + x->len, rec, (size_t)n);
	x->len += (size_t)n;
	/* the cursor steps onto the record just written, for the next one's change */
	x->c.data = x->buf;
	x->c.len = x->len;
	if (x->c.n == 0 && chunk_cursor_init(&x->c, x->buf, x->len, pass, t) < 0)
		return wg_err_set(err, -EINVAL, "cannot encode a sample");
	if (chunk_cursor_next(&x->c) <= 0)
		return wg_err_set(err, -EINVAL, "cannot encode a sample");
	x->last_pass = pass;
	x->t1 = t;
	x->added = true;
	k = prepare_walk(s, "INSERT OR IGNORE INTO pass(id, t) VALUES(?, ?)", &st, err);
	if (k >= 0) {
		sqlite3_bind_int64(st, 1, pass);
		sqlite3_bind_int64(st, 2, t);
		k = step_done(s, st, err, "cannot record an imported pass");
	}
	sqlite3_finalize(st);
	return k < 0 ? k : 1;
}

int store_import_end(struct store *s, int r, struct wg_err *err)
{
	struct import_state *x = s->import;

	if (!x)
		return wg_err_set(err, -EINVAL, "no import is open");
	if (r >= 0)
		r = import_flush(s, err);
	/* what the samples make of the drives' signs and states is recorded anew from them all */
	if (r >= 0 && x->added)
		r = store_meta_set(s, "episodes", "rebuild", err);
	free(x);
	s->import = NULL;
	return write_end(s, r, err);
}
