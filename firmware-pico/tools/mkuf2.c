/*
 * mkuf2: ELF to UF2 for the RP2040 and RP2350 boot ROMs, so the firmware
 * builds offline with PICO_NO_PICOTOOL=1.  Its output is byte-identical to
 * picotool 2.2.0's `uf2 convert` for flash images (tests/uf2/).
 *
 *	mkuf2 [-f rp2040|rp2350|FAMILY] [-a [ADDR]] IN.elf OUT.uf2
 *
 * UF2: 512-byte blocks of 256 payload bytes, each naming its flash address
 * and the chip family.  What the boot ROMs expect beyond the UF2 spec:
 * - every 4 KiB flash sector the image touches is written whole up to the
 *   image's last page (the ROM erases a sector at its first block), so the
 *   missing pages of a touched sector go out as zeros;
 * - RP2350 (erratum E10): a first block in the "absolute" family at the
 *   end of flash (0x10ffff00), 0xef filled and marked "ignore", makes the
 *   ROM take the rest of the file as one download (-a, on by default for
 *   rp2350).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UF2_MAGIC0	0x0a324655u
#define UF2_MAGIC1	0x9e5d5157u
#define UF2_MAGIC_END	0x0ab16f30u
#define UF2_F_FAMILY	0x00002000u
#define UF2_F_EXT	0x00008000u
#define UF2_EXT_IGNORE	0x9957e304u	/* RP2 "ignore this block" */
#define PAGE		256u
#define SECTOR		4096u

#define FAM_RP2040	0xe48bff56u
#define FAM_ABSOLUTE	0xe48bff57u
#define FAM_RP2350_ARM	0xe48bff59u
#define FAM_RP2350_RV	0xe48bff5au

#define FLASH_START	0x10000000u
#define FLASH_END	0x11000000u
#define SRAM_START	0x20000000u
#define SRAM_END	0x20082000u
#define ABS_BLOCK	(FLASH_END - PAGE)
#define MAX_PAGES	(16u * 1024u * 1024u / PAGE)

struct page {
	uint32_t	 addr;
	uint8_t		 data[PAGE];
};

static struct page *pages;
static size_t npages;

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The page at addr (page aligned), created zeroed if new; sorted insert. */
static struct page *
page_get(uint32_t addr)
{
	size_t lo = 0, hi = npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pages[mid].addr == addr)
			return &pages[mid];
		if (pages[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (npages == MAX_PAGES) {
		fprintf(stderr, "mkuf2: image larger than 16 MiB\n");
		exit(1);
	}
	memmove(&pages[lo + 1], &pages[lo], (npages - lo) * sizeof(*pages));
	memset(&pages[lo], 0, sizeof(*pages));
	pages[lo].addr = addr;
	npages++;
	return &pages[lo];
}

static int
in_range(uint32_t a, uint32_t n, uint32_t lo, uint32_t hi)
{
	return a >= lo && a <= hi && n <= hi - a;
}

/* Load the PT_LOAD segments' file contents at their physical addresses. */
static int
load_elf(const uint8_t *f, size_t n, int *flash)
{
	uint32_t phoff, phentsize, phnum;

	if (n < 52 || memcmp(f, "\177ELF", 4) != 0 || f[4] != 1 || f[5] != 1) {
		fprintf(stderr, "mkuf2: not a 32-bit little-endian ELF file\n");
		return -1;
	}
	phoff = le32(f + 28);
	phentsize = le16(f + 42);
	phnum = le16(f + 44);
	if (phentsize < 32 || phoff > n || (uint64_t)phnum * phentsize >
	    n - phoff) {
		fprintf(stderr, "mkuf2: bad program headers\n");
		return -1;
	}
	*flash = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < phnum; i++) {
			const uint8_t *ph = f + phoff + (size_t)i * phentsize;
			uint32_t off = le32(ph + 4), paddr = le32(ph + 12);
			uint32_t filesz = le32(ph + 16), memsz = le32(ph + 20);
			uint32_t len = filesz < memsz ? filesz : memsz;

			if (le32(ph) != 1 || len == 0)	/* PT_LOAD */
				continue;
			if (off > n || len > n - off) {
				fprintf(stderr, "mkuf2: segment %u outside the "
				    "file\n", i);
				return -1;
			}
			if (pass == 0) {	/* flash image or RAM image */
				if (in_range(paddr, len, FLASH_START,
				    FLASH_END))
					*flash = 1;
				continue;
			}
			if (!in_range(paddr, len, FLASH_START, FLASH_END) &&
			    (*flash || !in_range(paddr, len, SRAM_START,
			    SRAM_END))) {
				fprintf(stderr, "mkuf2: segment %u at %08x is "
				    "outside %s\n", i, paddr, *flash ?
				    "flash" : "RAM");
				return -1;
			}
			while (len > 0) {
				uint32_t po = paddr & (PAGE - 1);
				uint32_t take = PAGE - po < len ? PAGE - po :
				    len;

				memcpy(page_get(paddr - po)->data + po,
				    f + off, take);
				paddr += take;
				off += take;
				len -= take;
			}
		}
	}
	if (npages == 0) {
		fprintf(stderr, "mkuf2: nothing to load\n");
		return -1;
	}
	return 0;
}

/* Touched flash sectors are written whole, up to the last page. */
static int
pad_sectors(void)
{
	uint32_t last = pages[npages - 1].addr, *sectors;
	size_t ns = 0, n = npages;

	if ((sectors = calloc(n, sizeof(*sectors))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t s = pages[i].addr & ~(SECTOR - 1);

		if (ns == 0 || sectors[ns - 1] != s)
			sectors[ns++] = s;
	}
	for (size_t i = 0; i < ns; i++)
		for (uint32_t a = sectors[i]; a < sectors[i] + SECTOR &&
		    a < last; a += PAGE)
			(void)page_get(a);
	free(sectors);
	return 0;
}

static int
write_block(FILE *o, uint32_t flags, uint32_t addr, uint32_t no,
    uint32_t count, uint32_t family, const uint8_t *data, int ignore)
{
	uint8_t b[512];

	memset(b, 0, sizeof(b));
	put32(b, UF2_MAGIC0);
	put32(b + 4, UF2_MAGIC1);
	put32(b + 8, flags);
	put32(b + 12, addr);
	put32(b + 16, PAGE);
	put32(b + 20, no);
	put32(b + 24, count);
	put32(b + 28, family);
	if (data != NULL)
		memcpy(b + 32, data, PAGE);
	else
		memset(b + 32, 0xef, PAGE);
	if (ignore)
		put32(b + 32 + PAGE, UF2_EXT_IGNORE);
	put32(b + 508, UF2_MAGIC_END);
	return fwrite(b, sizeof(b), 1, o) == 1 ? 0 : -1;
}

static int
parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || end == s || x > 0xffffffffu)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: mkuf2 [-f rp2040|rp2350|rp2350-riscv|FAMILY] "
	    "[-a [ADDR] | -n] IN.elf OUT.uf2\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	uint32_t family = FAM_RP2040, abs_at = 0;
	int abs_set = 0, flash, i = 1;
	const char *in, *out;
	uint8_t *f;
	size_t n, cap = 1 << 20;
	FILE *fp;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			const char *v = argv[++i];

			if (strcmp(v, "rp2040") == 0)
				family = FAM_RP2040;
			else if (strcmp(v, "rp2350") == 0 ||
			    strcmp(v, "rp2350-arm-s") == 0)
				family = FAM_RP2350_ARM;
			else if (strcmp(v, "rp2350-riscv") == 0)
				family = FAM_RP2350_RV;
			else if (parse_u32(v, &family) != 0)
				usage();
		} else if (strcmp(argv[i], "-a") == 0) {
			abs_set = 1;
			abs_at = ABS_BLOCK;
			if (i + 1 < argc - 2 && parse_u32(argv[i + 1],
			    &abs_at) == 0)
				i++;
		} else if (strcmp(argv[i], "-n") == 0) {
			abs_set = -1;
		} else
			usage();
	}
	if (argc - i != 2)
		usage();
	in = argv[i];
	out = argv[i + 1];
	/* RP2350 images get the E10 block unless told not to (-n). */
	if (abs_set == 0 && family != FAM_RP2040 && family != FAM_ABSOLUTE)
		abs_at = ABS_BLOCK;
	if (abs_set < 0 || family == FAM_RP2040 || family == FAM_ABSOLUTE)
		abs_at = 0;

	if ((fp = fopen(in, "rb")) == NULL) {
		fprintf(stderr, "mkuf2: %s: %s\n", in, strerror(errno));
		return 1;
	}
	f = malloc(cap);
	n = 0;
	while (f != NULL) {
		n += fread(f + n, 1, cap - n, fp);
		if (n < cap)
			break;
		cap *= 2;
		f = realloc(f, cap);
	}
	fclose(fp);
	pages = calloc(MAX_PAGES, sizeof(*pages));
	if (f == NULL || pages == NULL) {
		fprintf(stderr, "mkuf2: out of memory\n");
		return 1;
	}
	if (load_elf(f, n, &flash) != 0)
		return 1;
	if (flash && pad_sectors() != 0) {
		fprintf(stderr, "mkuf2: out of memory\n");
		return 1;
	}
	if ((fp = fopen(out, "wb")) == NULL) {
		fprintf(stderr, "mkuf2: %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (abs_at != 0 && flash && write_block(fp, UF2_F_FAMILY | UF2_F_EXT,
	    abs_at, 0, 2, FAM_ABSOLUTE, NULL, 1) != 0)
		goto fail;
	for (size_t k = 0; k < npages; k++)
		if (write_block(fp, UF2_F_FAMILY, pages[k].addr, (uint32_t)k,
		    (uint32_t)npages, family, pages[k].data, 0) != 0)
			goto fail;
	if (fclose(fp) != 0) {
		fp = NULL;
		goto fail;
	}
	printf("mkuf2: %s: %zu blocks, family %08x%s\n", out, npages, family,
	    abs_at != 0 && flash ? ", with the RP2350-E10 block" : "");
	free(f);
	free(pages);
	return 0;
fail:
	fprintf(stderr, "mkuf2: %s: write failed\n", out);
	if (fp != NULL)
		fclose(fp);
	remove(out);
	return 1;
}
