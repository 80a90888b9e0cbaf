/*
 * ipmi.h: wire constants from IPMI v2.0 rev 1.1.  Numbers are explicit and
 * never renumbered.
 */
#ifndef PMBD_IPMI_H
#define PMBD_IPMI_H

/* RMCP / ASF */
#define RMCP_VERSION		0x06
#define RMCP_SEQ_NOACK		0xff
#define RMCP_CLASS_ASF		0x06
#define RMCP_CLASS_IPMI		0x07
#define ASF_IANA		4542u
#define ASF_TYPE_PING		0x80
#define ASF_TYPE_PONG		0x40

/* Session header */
#define IPMI_AUTHTYPE_NONE	0x00
#define IPMI_AUTHTYPE_RMCPP	0x06
#define IPMI_PAYLOAD_ENCRYPTED	0x80
#define IPMI_PAYLOAD_AUTHENTICATED 0x40
#define IPMI_PAYLOAD_TYPE_MASK	0x3f

#define PAYLOAD_IPMI		0x00
#define PAYLOAD_SOL		0x01
#define PAYLOAD_OEM		0x02
#define PAYLOAD_OPEN_REQ	0x10
#define PAYLOAD_OPEN_RSP	0x11
#define PAYLOAD_RAKP1		0x12
#define PAYLOAD_RAKP2		0x13
#define PAYLOAD_RAKP3		0x14
#define PAYLOAD_RAKP4		0x15

/* RMCP+ status codes (Open Session and RAKP) */
#define RMCPP_OK		0x00
#define RMCPP_NO_RESOURCES	0x01
#define RMCPP_INVALID_SID	0x02
#define RMCPP_INVALID_PAYLOAD	0x03
#define RMCPP_INVALID_AUTH_ALG	0x04
#define RMCPP_INVALID_INTEG_ALG	0x05
#define RMCPP_NO_MATCHING_AUTH	0x06
#define RMCPP_NO_MATCHING_INTEG	0x07
#define RMCPP_INACTIVE_SID	0x08
#define RMCPP_INVALID_ROLE	0x09
#define RMCPP_UNAUTH_ROLE	0x0a
#define RMCPP_NO_RESOURCES_ROLE	0x0b
#define RMCPP_INVALID_NAME_LEN	0x0c
#define RMCPP_UNAUTH_NAME	0x0d
#define RMCPP_UNAUTH_GUID	0x0e
#define RMCPP_INVALID_ICV	0x0f
#define RMCPP_INVALID_CONF_ALG	0x10
#define RMCPP_NO_CIPHER_SUITE	0x11
#define RMCPP_ILLEGAL_PARAM	0x12

/* Algorithms */
#define AUTH_RAKP_HMAC_SHA1	0x01
#define AUTH_RAKP_HMAC_SHA256	0x03
#define INTEG_HMAC_SHA1_96	0x01
#define INTEG_HMAC_SHA256_128	0x04
#define CONF_AES_CBC_128	0x01

/* Privilege levels */
#define PRIV_NONE		0x00	/* session-less */
#define PRIV_CALLBACK		0x01
#define PRIV_USER		0x02
#define PRIV_OPERATOR		0x03
#define PRIV_ADMIN		0x04
#define PRIV_OEM		0x05

/* Network functions */
#define NETFN_CHASSIS		0x00
#define NETFN_SENSOR		0x04
#define NETFN_APP		0x06
#define NETFN_STORAGE		0x0a
#define NETFN_TRANSPORT		0x0c

/* IPMB addresses */
#define IPMI_BMC_ADDR		0x20
#define IPMI_REMOTE_SWID	0x81

/* App commands */
#define APP_GET_DEVICE_ID	0x01
#define APP_COLD_RESET		0x02
#define APP_WARM_RESET		0x03
#define APP_GET_SELF_TEST	0x04
#define APP_GET_ACPI_POWER	0x07
#define APP_GET_DEVICE_GUID	0x08
#define APP_SEND_MESSAGE	0x34
#define APP_ACTIVATE_PAYLOAD	0x48
#define APP_DEACTIVATE_PAYLOAD	0x49
#define APP_PAYLOAD_STATUS	0x4a
#define APP_PAYLOAD_INFO	0x4b
#define APP_PAYLOAD_SUPPORT	0x4e
#define APP_PAYLOAD_VERSION	0x4f
#define APP_GET_SYSTEM_GUID	0x37
#define APP_GET_CHAN_AUTH_CAP	0x38
#define APP_SET_SESSION_PRIV	0x3b
#define APP_CLOSE_SESSION	0x3c
#define APP_GET_SESSION_INFO	0x3d
#define APP_GET_CHAN_ACCESS	0x41
#define APP_GET_CHAN_INFO	0x42
#define APP_GET_CHAN_CIPHERS	0x54

/* Chassis commands */
#define CHASSIS_GET_CAPS	0x00
#define CHASSIS_GET_STATUS	0x01
#define CHASSIS_CONTROL		0x02
#define CHASSIS_IDENTIFY	0x04
#define CHASSIS_SET_POLICY	0x06
#define CHASSIS_RESTART_CAUSE	0x07
#define CHASSIS_SET_BOOT	0x08
#define CHASSIS_GET_BOOT	0x09

/* Sensor/Event and Storage commands */
#define SE_GET_THRESHOLDS	0x27
#define SE_GET_READING		0x2d
#define STORAGE_GET_SDR_INFO	0x20
#define STORAGE_RESERVE_SDR	0x22
#define STORAGE_GET_SDR		0x23

/* Transport commands */
#define TRANSPORT_SET_SOL	0x21
#define TRANSPORT_GET_SOL	0x22

/* Completion codes */
#define CC_OK			0x00
#define CC_SENDMSG_NAK		0x83	/* Send Message: NAK on write */
#define CC_PAYLOAD_ACTIVE	0x80	/* Activate Payload */
#define CC_PAYLOAD_DISABLED	0x81
#define CC_PAYLOAD_LIMIT	0x82
#define CC_PAYLOAD_NO_ENCRYPT	0x84	/* must be encrypted */
#define CC_PAYLOAD_INACTIVE	0x80	/* Deactivate Payload */
#define CC_PARAM_UNSUPPORTED	0x80	/* boot options */
#define CC_SET_IN_PROGRESS	0x81
#define CC_PARAM_READ_ONLY	0x82
#define CC_PRIV_EXCEEDS		0x81	/* Set Session Privilege */
#define CC_INVALID_SESSION	0x87	/* Close Session */
#define CC_NODE_BUSY		0xc0
#define CC_INVALID_CMD		0xc1
#define CC_TIMEOUT		0xc3
#define CC_NO_SPACE		0xc4
#define CC_RESERVATION		0xc5
#define CC_REQ_LEN		0xc7
#define CC_REQ_TOO_LONG		0xc8
#define CC_PARAM_RANGE		0xc9
#define CC_TOO_MANY_BYTES	0xca
#define CC_NOT_PRESENT		0xcb
#define CC_INVALID_FIELD	0xcc
#define CC_ILLEGAL_CMD		0xcd
#define CC_NO_RESPONSE		0xce
#define CC_DUPLICATE		0xcf
#define CC_SDR_UPDATE		0xd0
#define CC_DEST_UNAVAILABLE	0xd3
#define CC_PRIV			0xd4
#define CC_NOT_SUPPORTED_STATE	0xd5
#define CC_UNSPECIFIED		0xff

#endif
