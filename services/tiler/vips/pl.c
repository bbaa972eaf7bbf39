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

int pl_dzsave(const char *src, const char *dst, int tile, int overlap,
	const char *suffix, pl_progress *p) {
	VipsImage *in = pl_open(src);
	if (!in)
		return -1;
	vips_image_set_progress(in, TRUE);
	g_signal_connect(in, "eval", G_CALLBACK(pl_eval), p);
	int r = vips_dzsave(in, dst,
		"tile_size", tile,
		"overlap", overlap,
		"suffix", suffix,
		"container", VIPS_FOREIGN_DZ_CONTAINER_ZIP,
		"compression", 0,
		NULL);
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
