#include "region.h"
#include <string.h>

int ex_init(int concurrency) {
	if (VIPS_INIT("patholabel-export"))
		return -1;
	// Every region is read once: a cache would only hold memory and files.
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	vips_concurrency_set(concurrency);
	// Slides come from users: libvips may run only the loaders the tiler
	// accepts a slide through (see services/tiler/vips). A DICOM source is
	// then refused cleanly instead of reaching ImageMagick.
	static const char *allowed[] = {"VipsForeignLoadOpenslideFile", "VipsForeignLoadTiffFile",
		"VipsForeignLoadJpegFile", "VipsForeignLoadPngFile", "VipsForeignLoadJp2kFile", "VipsForeignLoadWebpFile"};
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		vips_operation_block_set(allowed[i], FALSE);
	return 0;
}

static VipsAccess access_of(int sequential) {
	return sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
}

// ex_open loads by content, for random access (OpenSlide and tiled TIFF
// read only the tiles a region touches) or, for the benchmark's whole
// decode, sequential access.
VipsImage *ex_open(const char *path, int sequential) {
	return vips_image_new_from_file(path,
		"access", access_of(sequential),
		"fail_on", VIPS_FAIL_ON_ERROR,
		NULL);
}

// ex_open_tiff loads the first page of a TIFF with libvips' own TIFF
// loader: level 0 of an Aperio slide, decoded straight to RGB.
VipsImage *ex_open_tiff(const char *path, int sequential) {
	VipsImage *out = NULL;
	if (vips_tiffload(path, &out,
		"access", access_of(sequential),
		"page", 0,
		"fail_on", VIPS_FAIL_ON_ERROR,
		NULL))
		return NULL;
	return out;
}

// to_rgb makes 3-band 8-bit sRGB: alpha is dropped (OpenSlide's RGBA is
// premultiplied, so unscanned areas stay black, as PIL reads them).
static int to_rgb(VipsImage *in, VipsImage **out) {
	VipsImage *t = NULL;
	if (in->Bands < 3) {
		if (vips_colourspace(in, &t, VIPS_INTERPRETATION_sRGB, NULL))
			return -1;
	} else {
		t = in;
		g_object_ref(t);
	}
	VipsImage *u = NULL;
	int r = t->Bands > 3 ? vips_extract_band(t, &u, 0, "n", 3, NULL) : (g_object_ref(t), u = t, 0);
	g_object_unref(t);
	if (r)
		return -1;
	if (u->BandFmt == VIPS_FORMAT_UCHAR) {
		*out = u;
		return 0;
	}
	r = vips_cast(u, out, VIPS_FORMAT_UCHAR, NULL);
	g_object_unref(u);
	return r;
}

int ex_rgb(VipsImage *in, VipsImage **out) { return to_rgb(in, out); }

// ex_read copies [x, x+w) × [y, y+h) of im (3-band 8-bit) into out
// (w·h·3 bytes, zeroed by the caller so what lies outside stays black).
// vips_region_prepare computes just those pixels on this thread: no
// pipeline or thread pool per patch. A region belongs to the thread that
// made it, and Go moves goroutines between threads, so each read makes its
// own (a few allocations; the pixels come from the loader's tile cache).
int ex_read(VipsImage *im, int x, int y, int w, int h, unsigned char *out) {
	VipsRect want = {x, y, w, h}, all = {0, 0, im->Xsize, im->Ysize}, r;
	vips_rect_intersectrect(&want, &all, &r);
	if (vips_rect_isempty(&r))
		return 0;
	VipsRegion *reg = vips_region_new(im);
	if (!reg)
		return -1;
	if (vips_region_prepare(reg, &r)) {
		g_object_unref(reg);
		return -1;
	}
	for (int row = 0; row < r.height; row++) {
		VipsPel *src = VIPS_REGION_ADDR(reg, r.left, r.top + row);
		unsigned char *dst = out + ((size_t) (r.top - y + row) * w + (r.left - x)) * 3;
		memcpy(dst, src, (size_t) r.width * 3);
	}
	g_object_unref(reg);
	return 0;
}

// ex_region reads [x, x+w) × [y, y+h) of level 0, black outside the image,
// resized to ow × oh when that differs, as packed RGB in *out (g_free it).
int ex_region(VipsImage *in, int x, int y, int w, int h, int ow, int oh,
	void **out, size_t *len) {
	VipsImage *base = vips_image_new();
	VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(base), 5);
	int ix = x > 0 ? x : 0, iy = y > 0 ? y : 0;
	int ex = x + w < in->Xsize ? x + w : in->Xsize;
	int ey = y + h < in->Ysize ? y + h : in->Ysize;
	VipsImage *cur;
	if (ex <= ix || ey <= iy) {
		if (vips_black(&t[0], w, h, "bands", 3, NULL))
			goto fail;
		cur = t[0];
	} else {
		if (vips_crop(in, &t[0], ix, iy, ex - ix, ey - iy, NULL) ||
			to_rgb(t[0], &t[1]) ||
			vips_embed(t[1], &t[2], ix - x, iy - y, w, h, "extend", VIPS_EXTEND_BLACK, NULL))
			goto fail;
		cur = t[2];
	}
	if (ow != w || oh != h) {
		if (vips_resize(cur, &t[3], (double) ow / w, "vscale", (double) oh / h, NULL) ||
			vips_embed(t[3], &t[4], 0, 0, ow, oh, "extend", VIPS_EXTEND_COPY, NULL))
			goto fail;
		cur = t[4];
	}
	if (cur->BandFmt != VIPS_FORMAT_UCHAR || cur->Bands != 3) {
		vips_error("ex_region", "unexpected image format after conversion");
		goto fail;
	}
	*out = vips_image_write_to_memory(cur, len);
	g_object_unref(base);
	return *out ? 0 : -1;
fail:
	g_object_unref(base);
	return -1;
}

// ex_decode_all decodes the whole of a 3-band 8-bit image into memory as
// packed RGB: what PIL's Image.open + load does, kept only as the
// benchmark's baseline.
int ex_decode_all(VipsImage *rgb, void **out, size_t *len) {
	*out = vips_image_write_to_memory(rgb, len);
	return *out ? 0 : -1;
}
