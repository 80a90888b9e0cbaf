/* version.h: pmbd's version, also reported in Get Device ID. */
#ifndef PMBD_VERSION_H
#define PMBD_VERSION_H

#define PMBD_VERSION	"0.1.0"
#define PMBD_FW_MAJOR	0
#define PMBD_FW_MINOR	0x01	/* BCD: ipmitool prints 0.01 */

#endif
