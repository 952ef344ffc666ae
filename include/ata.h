/* ata.h — weargate's own ATA commands to a drive, sent before libatasmart is let near it */
#ifndef WEARGATE_ATA_H
#define WEARGATE_ATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The ways a command reaches the drive: the SCSI ATA PASS-THROUGH (16) and (12) commands
 * through SG_IO (libata and most USB bridges), or the old HDIO_DRIVE_CMD and HDIO_DRIVE_TASK
 * ioctls, which libata still answers. These are libatasmart's "sat16", "sat12" and
 * "linux-ide"; its "sunplus" and "jmicron" bridge dialects are not spoken here.
 */
enum ata_transport {
	ATA_SAT16,
	ATA_SAT12,
	ATA_LINUX_IDE,
	_ATA_TRANSPORT_MAX,
};

const char *ata_transport_to_string(enum ata_transport t);

/* The taskfile registers a drive returns (or is sent); 28-bit: the commands used here need no more. */
struct ata_regs {
	uint8_t error; /* features, when sent */
	uint8_t count;
	uint8_t lba_low, lba_mid, lba_high;
	uint8_t device;
	uint8_t status; /* the command, when sent */
};

#define ATA_STATUS_ERR 0x01
#define ATA_ERROR_ABRT 0x04

/*
 * The ATA registers in the sense data of a pass-through command (SAT-2: the ATA Status Return
 * descriptor of descriptor-format sense, or the fixed format's information fields with
 * ATA PASS-THROUGH INFORMATION AVAILABLE). 0 with ret filled; -EOPNOTSUPP when the SCSI layer
 * refused the command (ILLEGAL REQUEST: no pass-through here); -EAGAIN for NOT READY (a
 * bridge's word for a drive it cannot reach without waking it); -EIO when there are no
 * registers. Pure, for the tests.
 */
int ata_sense_regs(const uint8_t *sense, size_t len, struct ata_regs *ret);

/*
 * One non-data command through transport t; 0 with the registers the drive returned (the
 * drive may still have refused it: ERR in ret->status), -EOPNOTSUPP when the transport is
 * not there for this device (the ioctl is unknown, the SCSI layer refuses pass-through, or
 * it returns no registers), or another negative errno (-EIO: the command did not complete,
 * -EACCES/-EPERM: not allowed, -ENODEV: the device went away).
 */
int ata_command(int fd, enum ata_transport t, const struct ata_regs *in, struct ata_regs *ret);

/* IDENTIFY DEVICE (512 bytes) through transport t; errors as ata_command(), -EIO also for a page of zeros. */
int ata_identify(int fd, enum ata_transport t, uint8_t ret_page[512]);

enum ata_power {
	ATA_POWER_ACTIVE,  /* active or idle: spinning, a command costs nothing */
	ATA_POWER_STANDBY, /* spun down: a media access would spin it up */
	ATA_POWER_SLEEP,   /* no answer to CHECK POWER MODE, as from a sleeping drive */
	_ATA_POWER_MAX,
};

const char *ata_power_to_string(enum ata_power p);
/* The power mode CHECK POWER MODE's count register says (ACS-3 7.3). Pure, for the tests. */
enum ata_power ata_power_from_count(uint8_t count);

/*
 * CHECK POWER MODE (E5h) through each of ts[0..n) in turn until one answers: 0 with the
 * mode and the transport that answered. A drive that refuses the command (ERR) or that a
 * bridge calls not ready is asleep, as smartctl has it: a sleeping drive answers nothing
 * until it is reset, which would wake it. -EOPNOTSUPP when no transport reaches the drive,
 * -EIO (or the errno of the first failure) when the command failed on every one that does,
 * -EACCES/-EPERM/-ENODEV at once.
 */
int ata_check_power_mode(int fd, const enum ata_transport *ts, size_t n, enum ata_power *ret_power,
			 enum ata_transport *ret_transport);

/*
 * SMART RETURN STATUS (B0h/DAh): 0 with *ret_good 1 (threshold not exceeded), 0 (exceeded)
 * or -1 (registers that say neither, as some bridges return); errors as ata_command(), -EIO
 * also when the drive refused the command.
 */
int ata_smart_return_status(int fd, enum ata_transport t, int *ret_good);

/* IDENTIFY words 82 and 85, bit 0: the SMART feature set supported, and enabled. */
bool ata_identify_smart_supported(const uint8_t page[512]);
bool ata_identify_smart_enabled(const uint8_t page[512]);

#endif
