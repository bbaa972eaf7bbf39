#include "pl.h"

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
