/* ata.c — weargate's own ATA commands to a drive, sent before libatasmart is let near it */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/hdreg.h>
#include <scsi/sg.h>

#include "ata.h"

#define ATA_CMD_CHECK_POWER_MODE 0xe5
#define ATA_CMD_IDENTIFY 0xec
#define ATA_CMD_SMART 0xb0
#define SMART_RETURN_STATUS 0xda

/* SCSI status and sense keys (SPC-4) */
#define SCSI_GOOD 0x00
#define SENSE_NOT_READY 0x02
#define SENSE_ILLEGAL_REQUEST 0x05
#define SG_DRIVER_MASK 0x0f
#define SG_DRIVER_SENSE 0x08

/*
 * Long enough for a drive that spins up to answer IDENTIFY (--wake), short beside the read
 * deadline: a drive that takes longer is not answering, and the kernel's error handling after
 * a timeout adds its own retries.
 */
#define ATA_TIMEOUT_MS 10000

const char *ata_transport_to_string(enum ata_transport t)
{
	static const char *const names[_ATA_TRANSPORT_MAX] = {
		[ATA_SAT16] = "sat16",
		[ATA_SAT12] = "sat12",
		[ATA_LINUX_IDE] = "linux-ide",
	};

	return t < _ATA_TRANSPORT_MAX ? names[t] : "?";
}

const char *ata_power_to_string(enum ata_power p)
{
	static const char *const names[_ATA_POWER_MAX] = {
		[ATA_POWER_ACTIVE] = "active",
		[ATA_POWER_STANDBY] = "standby",
		[ATA_POWER_SLEEP] = "sleep",
	};

	return p < _ATA_POWER_MAX ? names[p] : "?";
}

enum ata_power ata_power_from_count(uint8_t count)
{
	switch (count) {
	case 0x00: /* Standby_z */
	case 0x01: /* Standby_y */
	case 0x40: /* NV cache power mode, spindle spun or spinning down */
		return ATA_POWER_STANDBY;
	default: /* 0x41 NV cache, spun up; 0x80-0x83 idle; 0xff active or idle; reserved values */
		return ATA_POWER_ACTIVE;
	}
}

bool ata_identify_smart_supported(const uint8_t page[512])
{
	return page[82 * 2] & 1;
}

bool ata_identify_smart_enabled(const uint8_t page[512])
{
	return page[85 * 2] & 1;
}

/* An ioctl that this device's driver does not know: another transport may still work. */
static int ioctl_errno(int e)
{
	if (e == ENOTTY || e == EINVAL || e == ENOSYS || e == EOPNOTSUPP)
		return -EOPNOTSUPP;
	return -e;
}

int ata_sense_regs(const uint8_t *sense, size_t len, struct ata_regs *ret)
{
	unsigned code, key;

	if (len < 8)
		return -EIO;
	code = sense[0] & 0x7f;
	if (code == 0x72 || code == 0x73) {
		size_t end = 8 + (size_t)sense[7];

		key = sense[1] & 0x0f;
		if (end > len)
			end = len;
		/* descriptors: type, additional length, body; the ATA Status Return one is 09h, 0Ch */
		for (size_t at = 8; at + 2 <= end; at += 2 + (size_t)sense[at + 1]) {
			const uint8_t *d = sense + at;

			if (d[0] != 0x09 || d[1] < 0x0c || at + 14 > end)
				continue;
			*ret = (struct ata_regs){
				.error = d[3],
				.count = d[5],
				.lba_low = d[7],
				.lba_mid = d[9],
				.lba_high = d[11],
				.device = d[12],
				.status = d[13],
			};
			return 0;
		}
	} else if (code == 0x70 || code == 0x71) {
		if (len < 14)
			return -EIO;
		key = sense[2] & 0x0f;
		/* ATA PASS-THROUGH INFORMATION AVAILABLE: the registers in the information fields */
		if (sense[12] == 0x00 && sense[13] == 0x1d) {
			*ret = (struct ata_regs){
				.error = sense[3],
				.status = sense[4],
				.device = sense[5],
				.count = sense[6],
				.lba_low = sense[9],
				.lba_mid = sense[10],
				.lba_high = sense[11],
			};
			return 0;
		}
	} else {
		return -EIO;
	}
	if (key == SENSE_ILLEGAL_REQUEST)
		return -EOPNOTSUPP;
	if (key == SENSE_NOT_READY)
		return -EAGAIN;
	return -EIO;
}

/* One SG_IO; *ret_status the SCSI status, *ret_sense_len what the sense buffer holds. */
static int sg_run(int fd, uint8_t *cdb, size_t cdb_len, int dir, void *data, size_t len, uint8_t *sense,
		  size_t sense_len, unsigned *ret_status, size_t *ret_sense_len)
{
	struct sg_io_hdr io;

	memset(&io, 0, sizeof(io));
	memset(sense, 0, sense_len);
	io.interface_id = 'S';
	io.cmdp = cdb;
	io.cmd_len = (unsigned char)cdb_len;
	io.dxfer_direction = dir;
	io.dxferp = data;
	io.dxfer_len = (unsigned)len;
	io.sbp = sense;
	io.mx_sb_len = (unsigned char)sense_len;
	io.timeout = ATA_TIMEOUT_MS;
	if (ioctl(fd, SG_IO, &io) < 0)
		return ioctl_errno(errno);
	/* the host adapter lost it (no device, timeout, reset): the command never completed */
	if (io.host_status != 0)
		return -EIO;
	if ((io.driver_status & SG_DRIVER_MASK) && (io.driver_status & SG_DRIVER_MASK) != SG_DRIVER_SENSE)
		return -EIO;
	*ret_status = io.status;
	*ret_sense_len = io.sb_len_wr;
	return 0;
}

/*
 * The pass-through CDB (SAT-2 12.2): protocol non-data (3) with CK_COND, so that the registers
 * come back, or PIO data-in (4) of count sectors without it.
 */
static size_t sat_cdb(enum ata_transport t, const struct ata_regs *in, bool data_in, uint8_t cdb[16])
{
	uint8_t protocol = data_in ? 4 : 3, flags = data_in ? 0x0e : 0x20;

	memset(cdb, 0, 16);
	if (t == ATA_SAT16) {
		cdb[0] = 0x85;
		cdb[1] = protocol << 1;
		cdb[2] = flags;
		cdb[4] = in->error;
		cdb[6] = in->count;
		cdb[8] = in->lba_low;
		cdb[10] = in->lba_mid;
		cdb[12] = in->lba_high;
		cdb[13] = in->device;
		cdb[14] = in->status;
		return 16;
	}
	cdb[0] = 0xa1;
	cdb[1] = protocol << 1;
	cdb[2] = flags;
	cdb[3] = in->error;
	cdb[4] = in->count;
	cdb[5] = in->lba_low;
	cdb[6] = in->lba_mid;
	cdb[7] = in->lba_high;
	cdb[8] = in->device;
	cdb[9] = in->status;
	return 12;
}

static int sat_command(int fd, enum ata_transport t, const struct ata_regs *in, struct ata_regs *ret)
{
	uint8_t cdb[16], sense[32];
	size_t cdb_len = sat_cdb(t, in, false, cdb), sense_len = 0;
	unsigned status = 0;
	int r;

	r = sg_run(fd, cdb, cdb_len, SG_DXFER_NONE, NULL, 0, sense, sizeof(sense), &status, &sense_len);
	if (r < 0)
		return r;
	if (sense_len > 0)
		return ata_sense_regs(sense, sense_len, ret);
	/* a translation that ignores CK_COND returns nothing to read the answer from */
	return status == SCSI_GOOD ? -EOPNOTSUPP : -EIO;
}

/*
 * libata copies the registers back into the ioctl's argument when it has them; a status
 * register never reads busy, while the command byte we put there (80h and up) does.
 */
static bool hdio_has_regs(uint8_t status)
{
	return !(status & 0x80);
}

static int hdio_task(int fd, const struct ata_regs *in, struct ata_regs *ret)
{
	uint8_t args[7] = { in->status, in->error, in->count, in->lba_low, in->lba_mid, in->lba_high, in->device };
	int r = 0;

	if (ioctl(fd, HDIO_DRIVE_TASK, args) < 0) {
		r = ioctl_errno(errno);
		if (r != -EIO || !hdio_has_regs(args[0]))
			return r;
	}
	*ret = (struct ata_regs){
		.status = args[0],
		.error = args[1],
		.count = args[2],
		.lba_low = args[3],
		.lba_mid = args[4],
		.lba_high = args[5],
		.device = args[6],
	};
	/* an EIO that came with registers is the drive's refusal, which they show */
	return (ret->status & ATA_STATUS_ERR) || r == 0 ? 0 : -EIO;
}

int ata_command(int fd, enum ata_transport t, const struct ata_regs *in, struct ata_regs *ret)
{
	if (t == ATA_LINUX_IDE)
		return hdio_task(fd, in, ret);
	if (t == ATA_SAT16 || t == ATA_SAT12)
		return sat_command(fd, t, in, ret);
	return -EOPNOTSUPP;
}

int ata_identify(int fd, enum ata_transport t, uint8_t ret_page[512])
{
	struct ata_regs in = { .count = 1, .status = ATA_CMD_IDENTIFY };
	bool blank = true;
	int r;

	memset(ret_page, 0, 512);
	if (t == ATA_LINUX_IDE) {
		uint8_t buf[4 + 512] = { ATA_CMD_IDENTIFY, 0, 0, 1 };

		if (ioctl(fd, HDIO_DRIVE_CMD, buf) < 0)
			return ioctl_errno(errno);
		memcpy(ret_page, buf + 4, 512);
	} else if (t == ATA_SAT16 || t == ATA_SAT12) {
		uint8_t cdb[16], sense[32];
		size_t cdb_len = sat_cdb(t, &in, true, cdb), sense_len = 0;
		unsigned status = 0;
		struct ata_regs regs;

		r = sg_run(fd, cdb, cdb_len, SG_DXFER_FROM_DEV, ret_page, 512, sense, sizeof(sense), &status, &sense_len);
		if (r < 0)
			return r;
		if (status != SCSI_GOOD) {
			r = sense_len > 0 ? ata_sense_regs(sense, sense_len, &regs) : -EIO;
			/* registers without ERR on a failed transfer still mean it failed */
			return r == 0 ? -EIO : r;
		}
	} else {
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < 512 && blank; i++)
		blank = ret_page[i] == 0;
	return blank ? -EIO : 0;
}

/* CHECK POWER MODE as hdparm -C sends it on linux-ide: HDIO_DRIVE_CMD, which returns the count register. */
static int hdio_check_power(int fd, struct ata_regs *ret)
{
	uint8_t args[4] = { ATA_CMD_CHECK_POWER_MODE, 0, 0, 0 };
	int r = 0;

	if (ioctl(fd, HDIO_DRIVE_CMD, args) < 0) {
		r = ioctl_errno(errno);
		if (r != -EIO || !hdio_has_regs(args[0]))
			return r;
	}
	*ret = (struct ata_regs){ .status = args[0], .error = args[1], .count = args[2] };
	return (ret->status & ATA_STATUS_ERR) || r == 0 ? 0 : -EIO;
}

int ata_check_power_mode(int fd, const enum ata_transport *ts, size_t n, enum ata_power *ret_power,
			 enum ata_transport *ret_transport)
{
	struct ata_regs in = { .status = ATA_CMD_CHECK_POWER_MODE }, out;
	int first_error = 0;

	for (size_t i = 0; i < n; i++) {
		int r = ts[i] == ATA_LINUX_IDE ? hdio_check_power(fd, &out) : ata_command(fd, ts[i], &in, &out);

		if (r == 0 || r == -EAGAIN) {
			*ret_transport = ts[i];
			if (r == -EAGAIN || (out.status & ATA_STATUS_ERR))
				*ret_power = ATA_POWER_SLEEP;
			else
				*ret_power = ata_power_from_count(out.count);
			return 0;
		}
		if (r == -EACCES || r == -EPERM || r == -ENODEV || r == -ENXIO || r == -ENOENT)
			return r;
		if (r != -EOPNOTSUPP && !first_error)
			first_error = r;
	}
	return first_error ? first_error : -EOPNOTSUPP;
}

int ata_smart_return_status(int fd, enum ata_transport t, int *ret_good)
{
	struct ata_regs in = {
		.error = SMART_RETURN_STATUS,
		.lba_mid = 0x4f,
		.lba_high = 0xc2,
		.status = ATA_CMD_SMART,
	};
	struct ata_regs out;
	int r = ata_command(fd, t, &in, &out);

	if (r < 0)
		return r;
	if (out.status & ATA_STATUS_ERR)
		return -EIO;
	if (out.lba_mid == 0x4f && out.lba_high == 0xc2)
		*ret_good = 1;
	else if (out.lba_mid == 0xf4 && out.lba_high == 0x2c)
		*ret_good = 0;
	else
		*ret_good = -1;
	return 0;
}
