// Thin C helpers over libvips for what govips lacks.
#ifndef PATHOLABEL_VIPS_H
#define PATHOLABEL_VIPS_H

#include <stdlib.h>
#include <vips/vips.h>

// pl_progress is shared with Go: C writes percent, Go writes kill. Plain
// ints read without locks; a stale read only delays a report or a stop by
// one evaluation step.
typedef struct {
	volatile int percent;
	volatile int kill;
} pl_progress;

// pl_frames is an image stored as frames: paths in cell order, across to
// a row, each opened with loader and at most frame_w×frame_h, the whole
// trimmed to width×height.
typedef struct {
	const char **paths;
	int n, across, width, height, frame_w, frame_h;
	const char *loader;
} pl_frames;

VipsImage *pl_open(const char *path, const char *loader);
int pl_header(const char *path, const char *loader, int *width, int *height, int *bands);
int pl_deviate(const char *path, const char *loader, int x, int y, int w, int h, double *out);
void pl_block(const char **allowed, int n);
const char *pl_loader(const char *path);
int pl_dzsave(const char *src, const char *loader, const char *dst, int tile, int overlap,
	const char *suffix, pl_progress *p);
int pl_dzsave_scaled(const char *src, const char *loader, const char *dst, int width, int height,
	int tile, int overlap, const char *suffix, pl_progress *p);
int pl_dzsave_frames(const pl_frames *f, const char *dst, int tile, int overlap, const char *suffix, pl_progress *p);
int pl_thumbnail_frames(const pl_frames *f, int size, int quality, void **buf, size_t *len);
int pl_has_field(VipsImage *im, const char *name);
char *pl_get_string(VipsImage *im, const char *name);
VipsImage *pl_open_level(const char *path, const char *loader, int n);
int pl_level_count(VipsImage *im);
int pl_scaled(VipsImage *in, double shrink, int halvings, int in_memory, VipsImage **out);
int pl_region_jpeg(VipsImage *in, double shrink, int halvings, int left, int top, int w, int h,
	int quality, void **buf, size_t *len);
int pl_associated(const char *src, const char *name, int quality, void **buf, size_t *len);

#endif
