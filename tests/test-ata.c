/* test-ata.c — what weargate's own ATA commands make of the answers: sense data, power modes, identify bits */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ata.h"

/* Descriptor-format sense (72h) as libata returns it for CK_COND: the ATA Status Return descriptor. */
static size_t descriptor_sense(uint8_t *buf, uint8_t key, uint8_t asc, uint8_t ascq, bool other_first,
			       const struct ata_regs *regs)
{
	size_t at = 8;

	memset(buf, 0, 64);
	buf[0] = 0x72;
	buf[1] = key;
	buf[2] = asc;
	buf[3] = ascq;
	if (other_first) { /* an Information descriptor (00h, 10 bytes after its header) before it */
		buf[at] = 0x00;
		buf[at + 1] = 0x0a;
		buf[at + 2] = 0x80;
		at += 12;
	}
	if (regs) {
		uint8_t *d = buf + at;

		d[0] = 0x09;
		d[1] = 0x0c;
		d[3] = regs->error;
		d[5] = regs->count;
		d[7] = regs->lba_low;
		d[9] = regs->lba_mid;
		d[11] = regs->lba_high;
		d[12] = regs->device;
		d[13] = regs->status;
		at += 14;
	}
	buf[7] = (uint8_t)(at - 8);
	return at;
}

static void test_descriptor_sense(void **state)
{
	const struct ata_regs want = {
		.error = 0x00, .count = 0xff, .lba_low = 1, .lba_mid = 0x4f, .lba_high = 0xc2, .device = 0x40, .status = 0x50,
	};
	struct ata_regs got;
	uint8_t buf[64];
	size_t len;

	(void)state;
	/* RECOVERED ERROR, ATA PASS-THROUGH INFORMATION AVAILABLE: the answer to a command with CK_COND */
	len = descriptor_sense(buf, 0x01, 0x00, 0x1d, false, &want);
	assert_int_equal(ata_sense_regs(buf, len, &got), 0);
	assert_memory_equal(&got, &want, sizeof(want));
	/* the descriptor need not come first */
	memset(&got, 0, sizeof(got));
	len = descriptor_sense(buf, 0x01, 0x00, 0x1d, true, &want);
	assert_int_equal(ata_sense_regs(buf, len, &got), 0);
	assert_memory_equal(&got, &want, sizeof(want));
	/* a refusal by the drive still carries its registers: ERR and ABRT */
	{
		const struct ata_regs abrt = { .error = ATA_ERROR_ABRT, .status = 0x51 };

		len = descriptor_sense(buf, 0x0b, 0x00, 0x00, false, &abrt);
		assert_int_equal(ata_sense_regs(buf, len, &got), 0);
		assert_int_equal(got.status & ATA_STATUS_ERR, ATA_STATUS_ERR);
		assert_int_equal(got.error, ATA_ERROR_ABRT);
	}
	/* a descriptor cut short by the buffer is not read past its end */
	len = descriptor_sense(buf, 0x01, 0x00, 0x1d, false, &want);
	assert_int_equal(ata_sense_regs(buf, len - 1, &got), -EIO);
	/* an additional length longer than the buffer is bounded by the buffer */
	buf[7] = 0xff;
	assert_int_equal(ata_sense_regs(buf, len, &got), 0);
	/* no descriptor with registers: what the sense key says */
	len = descriptor_sense(buf, 0x05, 0x24, 0x00, true, NULL);
	assert_int_equal(ata_sense_regs(buf, len, &got), -EOPNOTSUPP);
	len = descriptor_sense(buf, 0x02, 0x04, 0x02, false, NULL);
	assert_int_equal(ata_sense_regs(buf, len, &got), -EAGAIN);
	len = descriptor_sense(buf, 0x0b, 0x00, 0x00, false, NULL);
	assert_int_equal(ata_sense_regs(buf, len, &got), -EIO);
}

static void test_fixed_sense(void **state)
{
	struct ata_regs got;
	uint8_t buf[18];

	(void)state;
	/* SAT-2's fixed format: ERROR, STATUS, DEVICE, COUNT in the information field; LBA after it */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x70;
	buf[2] = 0x01;
	buf[3] = 0x00;
	buf[4] = 0x50;
	buf[5] = 0x40;
	buf[6] = 0x00;
	buf[7] = 10;
	buf[9] = 0x00;
	buf[10] = 0x4f;
	buf[11] = 0xc2;
	buf[12] = 0x00;
	buf[13] = 0x1d;
	assert_int_equal(ata_sense_regs(buf, sizeof(buf), &got), 0);
	assert_int_equal(got.status, 0x50);
	assert_int_equal(got.count, 0x00);
	assert_int_equal(got.device, 0x40);
	assert_int_equal(got.lba_mid, 0x4f);
	assert_int_equal(got.lba_high, 0xc2);
	/* ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE: no pass-through on this device */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x70;
	buf[2] = 0x05;
	buf[7] = 10;
	buf[12] = 0x20;
	assert_int_equal(ata_sense_regs(buf, sizeof(buf), &got), -EOPNOTSUPP);
	/* ABORTED COMMAND without registers (QEMU's AHCI answering a PIO data-in with CK_COND) */
	buf[2] = 0x0b;
	buf[12] = 0x00;
	assert_int_equal(ata_sense_regs(buf, sizeof(buf), &got), -EIO);
	/* NOT READY */
	buf[2] = 0x02;
	buf[12] = 0x04;
	assert_int_equal(ata_sense_regs(buf, sizeof(buf), &got), -EAGAIN);
	/* too short to hold the fields, and formats that are not sense at all */
	assert_int_equal(ata_sense_regs(buf, 13, &got), -EIO);
	assert_int_equal(ata_sense_regs(buf, 4, &got), -EIO);
	buf[0] = 0x00;
	assert_int_equal(ata_sense_regs(buf, sizeof(buf), &got), -EIO);
}

static void test_power_count(void **state)
{
	(void)state;
	assert_int_equal(ata_power_from_count(0x00), ATA_POWER_STANDBY);
	assert_int_equal(ata_power_from_count(0x01), ATA_POWER_STANDBY);
	assert_int_equal(ata_power_from_count(0x40), ATA_POWER_STANDBY);
	assert_int_equal(ata_power_from_count(0x41), ATA_POWER_ACTIVE);
	assert_int_equal(ata_power_from_count(0x80), ATA_POWER_ACTIVE);
	assert_int_equal(ata_power_from_count(0x83), ATA_POWER_ACTIVE);
	assert_int_equal(ata_power_from_count(0xff), ATA_POWER_ACTIVE);
	assert_string_equal(ata_power_to_string(ATA_POWER_SLEEP), "sleep");
	assert_string_equal(ata_transport_to_string(ATA_LINUX_IDE), "linux-ide");
}

static void test_identify_bits(void **state)
{
	uint8_t page[512] = { 0 };

	(void)state;
	assert_false(ata_identify_smart_supported(page));
	assert_false(ata_identify_smart_enabled(page));
	page[164] = 0x01; /* word 82 bit 0, little-endian on the page */
	assert_true(ata_identify_smart_supported(page));
	assert_false(ata_identify_smart_enabled(page));
	page[170] = 0x01; /* word 85 bit 0 */
	assert_true(ata_identify_smart_enabled(page));
	/* the high byte of the word is another bit */
	page[171] = 0x01;
	page[170] = 0x00;
	assert_false(ata_identify_smart_enabled(page));
}

/* Something that is not a disk: every transport's ioctl is unknown to it, and says so. */
static void test_not_a_disk(void **state)
{
	enum ata_transport all[] = { ATA_LINUX_IDE, ATA_SAT16, ATA_SAT12 }, t = _ATA_TRANSPORT_MAX;
	enum ata_power p = _ATA_POWER_MAX;
	uint8_t page[512];
	int good = 7, fd = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ata_check_power_mode(fd, all, 3, &p, &t), -EOPNOTSUPP);
	assert_int_equal(p, _ATA_POWER_MAX);
	assert_int_equal(ata_check_power_mode(fd, all, 0, &p, &t), -EOPNOTSUPP);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(ata_identify(fd, all[i], page), -EOPNOTSUPP);
		assert_int_equal(ata_smart_return_status(fd, all[i], &good), -EOPNOTSUPP);
	}
	assert_int_equal(good, 7);
	close(fd);
	/* a closed descriptor is not "another transport may work" */
	assert_int_equal(ata_check_power_mode(fd, all, 3, &p, &t), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor_sense),
		cmocka_unit_test(test_fixed_sense),
		cmocka_unit_test(test_power_count),
		cmocka_unit_test(test_identify_bits),
		cmocka_unit_test(test_not_a_disk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
