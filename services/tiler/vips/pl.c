#include "pl.h"
#include <string.h>

#include <openslide.h>

// Labels and macros are photos of a glass slide; anything larger is not one.
#define PL_MAX_ASSOCIATED_PIXELS (100LL * 1000 * 1000)

static int pl_jpeg_on_white(const uint32_t *argb, int64_t w, int64_t h, int quality, void **buf, size_t *len);

static void pl_eval(VipsImage *image, VipsProgress *progress, pl_progress *p) {
	p->percent = progress->percent;
	if (p->kill)
		vips_image_set_kill(image, TRUE);
}

// pl_open loads path with the one loader the caller chose (never by
// sniffing again), failing on truncated or corrupt data instead of
// rendering grey.
VipsImage *pl_open(const char *path, const char *loader) {
	VipsImage *out = NULL;
	if (vips_call(loader, path, &out,
		"access", VIPS_ACCESS_SEQUENTIAL,
		"fail_on", VIPS_FAIL_ON_ERROR,
		NULL))
		return NULL;
	return out;
}

// pl_header reads the size and bands of path as loader sees them; the
// pixels are not decoded.
int pl_header(const char *path, const char *loader, int *width, int *height, int *bands) {
	VipsImage *im = pl_open(path, loader);
	if (!im)
		return -1;
	*width = im->Xsize;
	*height = im->Ysize;
	*bands = im->Bands;
	g_object_unref(im);
	return 0;
}

// pl_deviate is the standard deviation of a rectangle of path.
int pl_deviate(const char *path, const char *loader, int x, int y, int w, int h, double *out) {
	VipsImage *im = pl_open(path, loader);
	VipsImage *part = NULL;
	if (!im)
		return -1;
	int r = vips_crop(im, &part, x, y, w, h, NULL);
	if (!r)
		r = vips_deviate(part, out, NULL);
	if (part)
		g_object_unref(part);
	g_object_unref(im);
	return r;
}

// pl_block lets libvips run no loader but those named: everything
// untrusted and every loader are blocked first. Loaders the allowlist
// keeps (openslideload, jp2kload) are among those libvips 8.14 flags
// untrusted, so vips_block_untrusted_set alone would block slides while
// still allowing loaders nobody asked for.
void pl_block(const char **allowed, int n) {
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (int i = 0; i < n; i++)
		vips_operation_block_set(allowed[i], FALSE);
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

int pl_dzsave(const char *src, const char *loader, const char *dst, int tile, int overlap,
	const char *suffix, pl_progress *p) {
	VipsImage *in = pl_open(src, loader);
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
int pl_dzsave_scaled(const char *src, const char *loader, const char *dst, int width, int height,
	int tile, int overlap, const char *suffix, pl_progress *p) {
	VipsImage *in = pl_open(src, loader);
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

// pl_join_frames lays out n frames (in the order of paths) `across` to a
// row and trims the padding of the last row and column to width×height.
// Each frame opens with the transfer syntax's loader only, and must fit a
// frame_w×frame_h cell and have the first frame's bands: a frame that is
// another format or another size fails instead of being rendered.
static VipsImage *pl_join_frames(const pl_frames *f) {
	VipsImage **in = g_new0(VipsImage *, f->n);
	VipsImage *joined = NULL, *out = NULL;
	int i;
	for (i = 0; i < f->n; i++) {
		VipsImage *im = NULL;
		if (vips_call(f->loader, f->paths[i], &im, "fail_on", VIPS_FAIL_ON_ERROR, NULL))
			break;
		in[i] = im;
		if (im->Xsize > f->frame_w || im->Ysize > f->frame_h || im->Bands != in[0]->Bands) {
			vips_error("pl_join_frames", "the frame of cell %d is %d x %d with %d bands, not a %d x %d frame like the first (%d bands)",
				i + 1, im->Xsize, im->Ysize, im->Bands, f->frame_w, f->frame_h, in[0]->Bands);
			break;
		}
	}
	if (i == f->n && !vips_arrayjoin(in, &joined, f->n, "across", f->across, NULL))
		vips_crop(joined, &out, 0, 0, f->width, f->height, NULL);
	for (i = 0; i < f->n; i++)
		if (in[i])
			g_object_unref(in[i]);
	g_free(in);
	if (joined)
		g_object_unref(joined);
	return out;
}

int pl_dzsave_frames(const pl_frames *f, const char *dst, int tile, int overlap, const char *suffix, pl_progress *p) {
	VipsImage *in = pl_join_frames(f);
	if (!in)
		return -1;
	vips_image_set_progress(in, TRUE);
	g_signal_connect(in, "eval", G_CALLBACK(pl_eval), p);
	int r = pl_dzsave_image(in, dst, tile, overlap, suffix);
	g_object_unref(in);
	return r;
}

int pl_thumbnail_frames(const pl_frames *f, int size, int quality, void **buf, size_t *len) {
	VipsImage *in = pl_join_frames(f);
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

// pl_open_level opens level n of a multi-resolution source for random
// access: OpenSlide's level n, or page n of a TIFF. The image is read
// tile by tile as regions of it are asked for, never whole.
VipsImage *pl_open_level(const char *path, const char *loader, int n) {
	VipsImage *out = NULL;
	const char *arg = strcmp(loader, "openslideload") == 0 ? "level" : "page";
	if (vips_call(loader, path, &out, arg, n,
		"access", VIPS_ACCESS_RANDOM,
		"fail_on", VIPS_FAIL_ON_ERROR,
		NULL))
		return NULL;
	return out;
}

// pl_level_count is OpenSlide's level count, or a TIFF's page count, or 1.
int pl_level_count(VipsImage *im) {
	const char *name = vips_image_get_typeof(im, "openslide.level-count") ? "openslide.level-count" : "n-pages";
	if (!vips_image_get_typeof(im, name))
		return 1;
	if (vips_image_get_typeof(im, name) == G_TYPE_INT) {
		int n = 1;
		if (vips_image_get_int(im, name, &n))
			return 1;
		return n;
	}
	const char *s = NULL;
	if (vips_image_get_string(im, name, &s))
		return 1;
	return atoi(s);
}

// pl_scaled shrinks in by shrink (vips_shrink averages boxes of pixels),
// then halves it halvings times as dzsave builds its levels: an odd size
// first gains a copy of its last row or column, then each 2×2 box is
// averaged. Nothing is computed until pixels are asked for; in memory,
// the result is computed whole and kept.
int pl_scaled(VipsImage *in, double shrink, int halvings, int in_memory, VipsImage **out) {
	VipsImage *t[2 * 40 + 2] = {NULL};
	int k = 0;
	VipsImage *cur = in;
	int r = 0;
	if (shrink != 1.0) {
		// Deep Zoom's smallest levels round up to a pixel: never shrink
		// below one.
		double sh = VIPS_MIN(shrink, cur->Xsize), sv = VIPS_MIN(shrink, cur->Ysize);
		if ((r = vips_shrink(cur, &t[k], sh, sv, NULL)))
			goto done;
		cur = t[k++];
	}
	for (int i = 0; i < halvings && i < 40; i++) {
		if (cur->Xsize == 1 && cur->Ysize == 1)
			break;
		int ew = cur->Xsize + (cur->Xsize & 1), eh = cur->Ysize + (cur->Ysize & 1);
		if (ew != cur->Xsize || eh != cur->Ysize) {
			if ((r = vips_embed(cur, &t[k], 0, 0, ew, eh, "extend", VIPS_EXTEND_COPY, NULL)))
				goto done;
			cur = t[k++];
		}
		if ((r = vips_shrink(cur, &t[k], ew > 1 ? 2.0 : 1.0, eh > 1 ? 2.0 : 1.0, NULL)))
			goto done;
		cur = t[k++];
	}
	if (in_memory) {
		*out = vips_image_copy_memory(cur);
		r = *out ? 0 : -1;
	} else {
		g_object_ref(cur);
		*out = cur;
	}
done:
	for (int i = 0; i < k; i++)
		g_object_unref(t[i]);
	return r;
}

// pl_region_jpeg scales in (pl_scaled), cuts the w×h rectangle at (left,
// top), repeating the edge where the rectangle passes it by a rounding
// pixel, drops alpha and encodes JPEG. libvips computes only the pixels of
// that rectangle.
int pl_region_jpeg(VipsImage *in, double shrink, int halvings, int left, int top, int w, int h,
	int quality, void **buf, size_t *len) {
	VipsImage *t[3] = {NULL, NULL, NULL};
	int k = 0;
	VipsImage *cur;
	int r = pl_scaled(in, shrink, halvings, 0, &t[k]);
	if (r)
		return r;
	cur = t[k++];
	if (left + w <= cur->Xsize && top + h <= cur->Ysize)
		r = vips_extract_area(cur, &t[k], left, top, w, h, NULL);
	else
		r = vips_embed(cur, &t[k], -left, -top, w, h, "extend", VIPS_EXTEND_COPY, NULL);
	if (r)
		goto done;
	cur = t[k++];
	if (cur->Bands == 4 || cur->Bands == 2) {
		if ((r = vips_extract_band(cur, &t[k], 0, "n", cur->Bands - 1, NULL)))
			goto done;
		cur = t[k++];
	}
	r = vips_jpegsave_buffer(cur, buf, len, "Q", quality, "strip", TRUE, NULL);
done:
	for (int i = 0; i < k; i++)
		g_object_unref(t[i]);
	return r;
}
