#include "lwip/tcp.h"
