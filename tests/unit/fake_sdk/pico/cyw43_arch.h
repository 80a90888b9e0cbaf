/* A fake of the parts of pico/cyw43_arch.h setup_ap.c uses (host test). */
#ifndef FAKE_CYW43_ARCH_H
#define FAKE_CYW43_ARCH_H
#include <stdbool.h>
#include "lwip/tcp.h"
#define CYW43_ITF_STA	0
#define CYW43_ITF_AP	1
#define CYW43_AUTH_WPA2_AES_PSK 0x00400004
typedef struct { struct netif netif[2]; uint32_t itf_state; } cyw43_t;
extern cyw43_t cyw43_state;
uint32_t cyw43_arch_get_country_code(void);
void	 cyw43_wifi_set_up(cyw43_t *, int, bool, uint32_t);
void	 cyw43_wifi_ap_set_ssid(cyw43_t *, size_t, const uint8_t *);
void	 cyw43_wifi_ap_set_password(cyw43_t *, size_t, const uint8_t *);
void	 cyw43_wifi_ap_set_auth(cyw43_t *, uint32_t);
#endif
