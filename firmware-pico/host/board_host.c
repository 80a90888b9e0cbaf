/*
 * board_host.c: board.h on Linux for pmb-node-sim.  Pins are simulated and
 * wired to server_sim.c, electrically: a pin's mode matters (an output
 * reads its level, an input its pull or what drives it, a floating input
 * noise); the release alarms run on their own thread (like
 * the Pico's alarm interrupt, they fire whatever the main loop does); a
 * watchdog thread reboots the node in-process when node_poll() has not fed
 * it for 2 s; TCP is a non-blocking socket.
 *
 * Locks, always taken in this order: alarm_mtx, then pin_mtx, then the
 * server's.  Alarm callbacks run with alarm_mtx held, so a cancelled alarm
 * never fires late.
 */
#include <sys/random.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "host.h"
#include "nproto.h"

#define WDT_MS		2000

struct alarm {
	int		 armed;
	uint64_t	 at_ns;
	board_alarm_fn	 fn;
};

static pthread_mutex_t	 alarm_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 alarm_cv;
static struct alarm	 alarms[BOARD_ALARMS];

static pthread_mutex_t	 pin_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint8_t		 mode;		/* enum np_pinmode, 0xff unset */
	uint8_t		 level;
} pins[HOST_PINS];
static struct np_pins	 wiring;

static struct sockaddr_storage server_ss;
static socklen_t	 server_sslen;
static int		 sock = -1;

static atomic_uint_fast64_t wdt_fed_ns;
static atomic_int	 wdt_fired;
static atomic_int	 reboot_req;	/* cause + 1 */
static uint8_t		 cause = NP_RST_POWER;

static uint32_t		 uart_baud = 115200;
static uint64_t		 uart_t0_ns;
static uint64_t		 uart_sent;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
host_event(const char *fmt, ...)
{
	struct timespec ts;
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	flockfile(stdout);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld.%06ld %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000,
	    line);
	fflush(stdout);
	funlockfile(stdout);
}

/* Alarms: one thread, the earliest deadline first. */
static void *
alarm_thread(void *arg)
{
	struct timespec ts;
	uint64_t now, next;
	int i;

	(void)arg;
	pthread_mutex_lock(&alarm_mtx);
	for (;;) {
		now = mono_ns();
		next = now + 1000000000u;
		for (i = 0; i < BOARD_ALARMS; i++) {
			if (!alarms[i].armed)
				continue;
			if (alarms[i].at_ns <= now) {
				alarms[i].armed = 0;
				alarms[i].fn((unsigned)i);
			} else if (alarms[i].at_ns < next)
				next = alarms[i].at_ns;
		}
		ts.tv_sec = (time_t)(next / 1000000000u);
		ts.tv_nsec = (long)(next % 1000000000u);
		pthread_cond_timedwait(&alarm_cv, &alarm_mtx, &ts);
	}
	return NULL;
}

int
board_alarm_arm(unsigned id, uint32_t ms, board_alarm_fn fn)
{
	if (id >= BOARD_ALARMS || fn == NULL)
		return -1;
	pthread_mutex_lock(&alarm_mtx);
	alarms[id].armed = 1;
	alarms[id].at_ns = mono_ns() + (uint64_t)ms * 1000000u;
	alarms[id].fn = fn;
	pthread_cond_signal(&alarm_cv);
	pthread_mutex_unlock(&alarm_mtx);
	return 0;
}

void
board_alarm_cancel(unsigned id)
{
	if (id >= BOARD_ALARMS)
		return;
	pthread_mutex_lock(&alarm_mtx);
	alarms[id].armed = 0;
	pthread_mutex_unlock(&alarm_mtx);
}

uint32_t
board_now_ms(void)
{
	return (uint32_t)(mono_ns() / 1000000u);
}

/*
 * A settings write to flash, as the Pico does it: interrupts off for the
 * erase and program (the alarm thread cannot fire: it needs alarm_mtx) and
 * the main loop stopped (the caller waits here), for ms.
 */
void
board_host_flash_write(uint32_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	pthread_mutex_lock(&alarm_mtx);
	host_event("flash write");
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	host_event("flash written");
	pthread_mutex_unlock(&alarm_mtx);
}

/* Pins. */
int
board_pin_ok(uint8_t pin)
{
	return pin < HOST_PINS;
}

void
board_pin_mode(uint8_t pin, int mode)
{
	if (pin >= HOST_PINS)
		return;
	pthread_mutex_lock(&pin_mtx);
	pins[pin].mode = (uint8_t)mode;
	pthread_mutex_unlock(&pin_mtx);
}

static const char *
pin_name(uint8_t pin)
{
	if (pin == wiring.power)
		return "power";
	if (pin == wiring.reset)
		return "reset";
	return NULL;
}

void
board_pin_set(uint8_t pin, int level)
{
	const char *name;
	int asserted;

	if (pin >= HOST_PINS)
		return;
	level = level != 0;
	pthread_mutex_lock(&pin_mtx);
	if (pins[pin].level != level) {
		pins[pin].level = (uint8_t)level;
		name = pin_name(pin);
		asserted = wiring.out_active_low == 1 ? !level : level;
		if (name != NULL) {
			host_event("pin %s %d", name, asserted);
			server_button(pin == wiring.power ? 0 : 1, asserted);
		} else if (pin != wiring.led)
			host_event("pin gpio%u %d", pin, level);
	}
	pthread_mutex_unlock(&pin_mtx);
}

/*
 * What an input reads, electrically.  The sense pin is wired to the
 * server's power LED through an optocoupler whose transistor conducts
 * while the server is on: to ground with active-low wiring (an open
 * collector), to 3.3 V with active-high wiring (an open emitter).  When it
 * does not conduct, nothing drives the pin and its pull decides; with no
 * pull a floating CMOS input reads noise, and so does this one.
 */
static int
input_level(uint8_t pin, uint8_t mode)
{
	if (pin == wiring.sense && server_power())
		return wiring.sense_active_low == 1 ? 0 : 1;
	switch (mode) {
	case NP_PIN_IN_UP:
		return 1;
	case NP_PIN_IN_DOWN:
		return 0;
	default:
		return (int)(board_random() & 1);	/* floating */
	}
}

int
board_pin_get(uint8_t pin)
{
	uint8_t mode;
	int v;

	if (pin >= HOST_PINS)
		return 0;
	pthread_mutex_lock(&pin_mtx);
	mode = pins[pin].mode;
	v = pins[pin].level;
	pthread_mutex_unlock(&pin_mtx);
	return mode == NP_PIN_OUT ? v : input_level(pin, mode);
}

void
board_host_release_all(void)
{
	int i;

	pthread_mutex_lock(&alarm_mtx);
	for (i = 0; i < BOARD_ALARMS; i++)
		alarms[i].armed = 0;
	pthread_mutex_unlock(&alarm_mtx);
	/* As a reset does: outputs released. */
	if (wiring.power != NP_PIN_NONE)
		board_pin_set(wiring.power, wiring.out_active_low == 1);
	if (wiring.reset != NP_PIN_NONE)
		board_pin_set(wiring.reset, wiring.out_active_low == 1);
	for (i = 0; i < HOST_PINS; i++) {
		if (i == wiring.power || i == wiring.reset)
			continue;
		pthread_mutex_lock(&pin_mtx);
		if (pins[i].mode == NP_PIN_OUT && i != wiring.led) {
			pins[i].mode = NP_PIN_IN;
			pthread_mutex_unlock(&pin_mtx);
			board_pin_set((uint8_t)i, 0);
			continue;
		}
		pthread_mutex_unlock(&pin_mtx);
	}
}

/* The UART, paced at the configured rate (10 bits a byte). */
size_t
board_uart_write(const uint8_t *p, size_t len)
{
	uint64_t now = mono_ns(), may;

	if (uart_t0_ns == 0 || now - uart_t0_ns > 1000000000u) {
		uart_t0_ns = now;	/* a fresh second's budget */
		uart_sent = 0;
	}
	may = (now - uart_t0_ns) * uart_baud / 10 / 1000000000u + 64;
	if (uart_sent >= may)
		return 0;
	if (len > may - uart_sent)
		len = (size_t)(may - uart_sent);
	uart_sent += len;
	server_uart_rx(p, len);
	return len;
}

size_t
board_uart_read(uint8_t *p, size_t len)
{
	return server_uart_tx(p, len);
}

void
board_uart_config(uint32_t baud, uint8_t data_bits, uint8_t parity,
    uint8_t stop_bits)
{
	uart_baud = baud;
	fprintf(stderr, "pmb-node-sim: uart %lu %u%c%u\n",
	    (unsigned long)baud, data_bits, "NOE"[parity % 3], stop_bits);
}

void
board_uart_break(uint16_t ms)
{
	fprintf(stderr, "pmb-node-sim: uart break %u ms\n", ms);
	server_break();
}

/* Watchdog. */
void
board_wdt_feed(void)
{
	atomic_store(&wdt_fed_ns, mono_ns());
	atomic_store(&wdt_fired, 0);
}

static void *
wdt_thread(void *arg)
{
	uint64_t fed;

	(void)arg;
	for (;;) {
		usleep(20000);
		fed = atomic_load(&wdt_fed_ns);	/* before the clock */
		if (atomic_load(&wdt_fired) ||
		    (int64_t)(mono_ns() - fed) < (int64_t)WDT_MS * 1000000)
			continue;
		atomic_store(&wdt_fired, 1);
		host_event("watchdog reboot");
		board_host_release_all();
		atomic_store(&reboot_req, NP_RST_WATCHDOG + 1);
	}
	return NULL;
}

int
board_host_reboot_pending(void)
{
	return atomic_load(&reboot_req);
}

void
board_host_reboot_done(void)
{
	atomic_store(&reboot_req, 0);
	board_wdt_feed();
}

void
board_host_set_cause(uint8_t c)
{
	cause = c;
}

uint8_t
board_reset_cause(void)
{
	return cause;
}

void
board_reboot(void)
{
	board_host_release_all();
	atomic_store(&reboot_req, NP_RST_REBOOT + 1);
}

uint32_t
board_random(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)mono_ns() * 2654435761u;
	return r;
}

/* TCP. */
int
board_tcp_connect(void)
{
	board_tcp_close();
	sock = socket(server_ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (sock == -1)
		return -1;
	if (connect(sock, (struct sockaddr *)&server_ss, server_sslen) == -1 &&
	    errno != EINPROGRESS) {
		board_tcp_close();
		return -1;
	}
	return 0;
}

int
board_tcp_status(void)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int err = 0;

	if (sock == -1)
		return -1;
	pfd.fd = sock;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0)
		return -1;
	return 1;
}

long
board_tcp_send(const uint8_t *p, size_t len)
{
	ssize_t r;

	if (sock == -1)
		return -1;
	r = send(sock, p, len, MSG_NOSIGNAL);
	if (r >= 0)
		return (long)r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return -1;
}

long
board_tcp_recv(uint8_t *p, size_t len)
{
	ssize_t r;

	if (sock == -1)
		return -1;
	r = recv(sock, p, len, 0);
	if (r > 0)
		return (long)r;
	if (r == 0)
		return -1;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return -1;
}

void
board_tcp_close(void)
{
	if (sock != -1)
		close(sock);
	sock = -1;
}

void
board_info(struct board_info *bi)
{
	bi->temp_cdeg = (int16_t)(2500 + (int)(board_random() % 100));
	bi->vsys_mv = 5000;
	bi->rssi = -50;
	bi->free_mem = 200000;
}

const char *
board_name(void)
{
	return "host";
}

void
board_led(int on)
{
	(void)on;
}

int
board_host_init(const struct sockaddr_storage *ss, socklen_t sslen,
    const struct np_pins *w)
{
	pthread_condattr_t ca;
	pthread_t t;
	int i;

	server_ss = *ss;
	server_sslen = sslen;
	wiring = *w;
	for (i = 0; i < HOST_PINS; i++)
		pins[i].mode = NP_PIN_IN;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&alarm_cv, &ca);
	pthread_condattr_destroy(&ca);
	board_wdt_feed();
	if (pthread_create(&t, NULL, alarm_thread, NULL) != 0)
		return -1;
	pthread_detach(t);
	if (pthread_create(&t, NULL, wdt_thread, NULL) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}
