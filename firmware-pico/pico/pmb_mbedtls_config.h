/*
 * pmb_mbedtls_config.h: mbedTLS for the node, TLS 1.2 client with a
 * pre-shared key and nothing else (no certificates, no public keys):
 * TLS_PSK_WITH_AES_128_GCM_SHA256, as pmbd offers.  Entropy comes from the
 * SDK's mbedtls_hardware_poll() (pico_rand).  Not named mbedtls_config.h:
 * mbedTLS 3.x would find its own default config under that name.
 */
#ifndef PMB_MBEDTLS_CONFIG_H
#define PMB_MBEDTLS_CONFIG_H

#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_IN_CONTENT_LEN	2048
#define MBEDTLS_SSL_OUT_CONTENT_LEN	2048
/* Ask for records that fit (pmbd also sends at most 2 KiB a record). */
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH

#define MBEDTLS_AES_C
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_FORCE_SHA256
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_ERROR_C

#define MBEDTLS_SSL_CIPHERSUITES MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256

#endif
