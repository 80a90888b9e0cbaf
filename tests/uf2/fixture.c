/* fixture.c: the program behind fixture.elf (never run; see fixture.ld). */
extern void reset(void);
static unsigned counter;
/* Code-sized filler so that .text crosses a page boundary. */
__attribute__((section(".text.pad"), used))
static const unsigned char pad[600] = { [0] = 0x5a, [299] = 0xa5, [599] = 0x3c };
unsigned table[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
const char banner[300] = "pmbd mkuf2 fixture: rodata that crosses a page";

__attribute__((section(".vectors"), used))
static void (*const vectors[2])(void) = { (void (*)(void))0x20040000, reset };

void
reset(void)
{
	for (;;)
		*(volatile unsigned *)&counter += table[counter & 7] + (unsigned)banner[counter & 255];
}
