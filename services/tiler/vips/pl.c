#include "pl.h"

#include <openslide.h>

// Labels and macros are photos of a glass slide; anything larger is not one.
#define PL_MAX_ASSOCIATED_PIXELS (100LL * 1000 * 1000)

static int pl_jpeg_on_white(const uint32_t *argb, int64_t w, int64_t h, int quality, void **buf, size_t *len);

static void pl_eval(VipsImage *image, VipsProgress *progress, pl_progress *p) {
	p->percent = progress->percent;
	if (p->kill)
		vips_image_set_kill(image, TRUE);
}

// pl_open loads by content (libvips sniffs the bytes, never the name) and
// fails on truncated or corrupt data instead of rendering grey.
VipsImage *pl_open(const char *path) {
	return vips_image_new_from_file(path,
		"access", VIPS_ACCESS_SEQUENTIAL,
		"fail_on", VIPS_FAIL_ON_ERROR,
		NULL);
}

const char *pl_loader(const char *path) {
	return vips_foreign_find_load(path);
}

static int pl_dzsave_image(VipsImage *in, const char *dst, int tile, int overlap,
	const char *suffix) {
	return vips_dzsave(in, dst,
		"tile_size", tile,
		"overlap", overlap,
		"suffix", suffix,
		"container", VIPS_FOREIGN_DZ_CONTAINER_ZIP,
		"compression", 0,
		NULL);
}

int pl_dzsave(const char *src, const char *dst, int tile, int overlap,
	const char *suffix, pl_progress *p) {
	VipsImage *in = pl_open(src);
	if (!in)
		return -1;
	vips_image_set_progress(in, TRUE);
	g_signal_connect(in, "eval", G_CALLBACK(pl_eval), p);
	int r = pl_dzsave_image(in, dst, tile, overlap, suffix);
	g_object_unref(in);
	return r;
}

// pl_dzsave_scaled stretches src to exactly width×height (bilinear, so a
// coarse heatmap stays smooth) and pyramids the result. vips_resize can land
// one pixel off the target; the embed pads or trims that pixel.
int pl_dzsave_scaled(const char *src, const char *dst, int width, int height,
	int tile, int overlap, const char *suffix, pl_progress *p) {
	VipsImage *in = pl_open(src);
	if (!in)
		return -1;
	vips_image_set_progress(in, TRUE);
	g_signal_connect(in, "eval", G_CALLBACK(pl_eval), p);
	VipsImage *scaled = NULL, *exact = NULL;
	int r = vips_resize(in, &scaled, (double) width / in->Xsize,
		"vscale", (double) height / in->Ysize,
		"kernel", VIPS_KERNEL_LINEAR,
		NULL);
	if (!r)
		r = vips_embed(scaled, &exact, 0, 0, width, height, "extend", VIPS_EXTEND_COPY, NULL);
	if (!r)
		r = pl_dzsave_image(exact, dst, tile, overlap, suffix);
	if (exact)
		g_object_unref(exact);
	if (scaled)
		g_object_unref(scaled);
	g_object_unref(in);
	return r;
}

int pl_has_field(VipsImage *im, const char *name) {
	return vips_image_get_typeof(im, name) != 0;
}

char *pl_get_string(VipsImage *im, const char *name) {
	char *out = NULL;
	if (vips_image_get_as_string(im, name, &out))
		return NULL;
	return out;
}

// pl_join_frames lays out n equal frames (TILED_FULL order) `across` to a
// row and trims the padding of the last row and column to width×height.
static VipsImage *pl_join_frames(const char **paths, int n, int across, int width, int height) {
	VipsImage **in = g_new0(VipsImage *, n);
	VipsImage *joined = NULL, *out = NULL;
	int i;
	for (i = 0; i < n; i++)
		if (!(in[i] = vips_image_new_from_file(paths[i], "fail_on", VIPS_FAIL_ON_ERROR, NULL)))
			break;
	if (i == n && !vips_arrayjoin(in, &joined, n, "across", across, NULL))
		vips_crop(joined, &out, 0, 0, width, height, NULL);
	for (i = 0; i < n; i++)
		if (in[i])
			g_object_unref(in[i]);
	g_free(in);
	if (joined)
		g_object_unref(joined);
	return out;
}

int pl_dzsave_frames(const char **paths, int n, int across, int width, int height,
	const char *dst, int tile, int overlap, const char *suffix, pl_progress *p) {
	VipsImage *in = pl_join_frames(paths, n, across, width, height);
	if (!in)
		return -1;
	vips_image_set_progress(in, TRUE);
	g_signal_connect(in, "eval", G_CALLBACK(pl_eval), p);
	int r = pl_dzsave_image(in, dst, tile, overlap, suffix);
	g_object_unref(in);
	return r;
}

int pl_thumbnail_frames(const char **paths, int n, int across, int width, int height,
	int size, int quality, void **buf, size_t *len) {
	VipsImage *in = pl_join_frames(paths, n, across, width, height);
	VipsImage *thumb = NULL;
	if (!in)
		return -1;
	int r = vips_thumbnail_image(in, &thumb, size, "height", size, NULL);
	if (!r)
		r = vips_jpegsave_buffer(thumb, buf, len, "Q", quality, "strip", TRUE, NULL);
	if (thumb)
		g_object_unref(thumb);
	g_object_unref(in);
	return r;
}

// pl_associated renders one OpenSlide associated image ("label", "macro")
// as JPEG, flattened onto white. It reads through OpenSlide itself: the
// libvips 8.14.1 of Debian 12 crashes on openslideload's "associated".
int pl_associated(const char *src, const char *name, int quality, void **buf, size_t *len) {
	openslide_t *osr = openslide_open(src);
	int64_t w = -1, h = -1;
	if (!osr || openslide_get_error(osr)) {
		vips_error("pl_associated", "%s", osr ? openslide_get_error(osr) : "not a slide OpenSlide reads");
		if (osr)
			openslide_close(osr);
		return -1;
	}
	openslide_get_associated_image_dimensions(osr, name, &w, &h);
	if (w <= 0 || h <= 0 || w * h > PL_MAX_ASSOCIATED_PIXELS) {
		vips_error("pl_associated", "no usable %s image (%lld x %lld)", name, (long long) w, (long long) h);
		openslide_close(osr);
		return -1;
	}
	uint32_t *argb = g_malloc(w * h * 4);
	openslide_read_associated_image(osr, name, argb);
	const char *err = openslide_get_error(osr);
	int r = -1;
	if (err)
		vips_error("pl_associated", "%s", err);
	else
		r = pl_jpeg_on_white(argb, w, h, quality, buf, len);
	g_free(argb);
	openslide_close(osr);
	return r;
}

// pl_jpeg_on_white encodes OpenSlide's premultiplied ARGB as if laid over
// white: premultiplied colour plus the uncovered part of white.
static int pl_jpeg_on_white(const uint32_t *argb, int64_t w, int64_t h, int quality, void **buf, size_t *len) {
	unsigned char *rgb = g_malloc(w * h * 3);
	for (int64_t i = 0; i < w * h; i++) {
		uint32_t p = argb[i], a = p >> 24;
		rgb[3 * i] = ((p >> 16) & 0xff) + 255 - a;
		rgb[3 * i + 1] = ((p >> 8) & 0xff) + 255 - a;
		rgb[3 * i + 2] = (p & 0xff) + 255 - a;
	}
	VipsImage *im = vips_image_new_from_memory(rgb, w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
	int r = -1;
	if (im) {
		im->Type = VIPS_INTERPRETATION_sRGB;
		r = vips_jpegsave_buffer(im, buf, len, "Q", quality, "strip", TRUE, NULL);
		g_object_unref(im);
	}
	g_free(rgb);
	return r;
}
