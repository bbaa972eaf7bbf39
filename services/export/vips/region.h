// Thin C helpers over libvips: open a slide for random access and read one
// region of it as packed RGB. govips loads whole files into memory before
// decoding, which neither suits multi-gigabyte slides nor reaches OpenSlide.
#ifndef PATHOLABEL_EXPORT_REGION_H
#define PATHOLABEL_EXPORT_REGION_H

#include <stdlib.h>
#include <vips/vips.h>

int ex_init(int concurrency);
VipsImage *ex_open(const char *path, int sequential);
VipsImage *ex_open_tiff(const char *path, int sequential);
int ex_region(VipsImage *in, int x, int y, int w, int h, int ow, int oh,
	void **out, size_t *len);

int ex_rgb(VipsImage *in, VipsImage **out);
int ex_read(VipsImage *im, int x, int y, int w, int h, unsigned char *out);
int ex_decode_all(VipsImage *rgb, void **out, size_t *len);

#endif
