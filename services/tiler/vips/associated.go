package vips

/*
#include "pl.h"
*/
import "C"

import (
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/patholabel/patholabel/services/platform/libvips"
)

// Associated renders the slide's associated image name ("label",
// "macro") as JPEG; ok is false when the file has none by that name
// (plain images, scanners that store no label). These images can show the
// patient's name, so only a caller the project allowed asks for them.
func Associated(path, name string, quality int) (b []byte, ok bool, err error) {
	if !slices.Contains(associatedNames(path), name) {
		return nil, false, nil
	}
	cpath, cname := C.CString(path), C.CString(name)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cname))
	var buf unsafe.Pointer
	var n C.size_t
	if C.pl_associated(cpath, cname, C.int(quality), &buf, &n) != 0 {
		return nil, false, fmt.Errorf("read %s image: %w", name, libvips.LastError())
	}
	defer C.g_free(C.gpointer(buf))
	return C.GoBytes(buf, C.int(n)), true, nil
}

// associatedNames lists what OpenSlide reports; files other loaders read
// have none.
func associatedNames(path string) []string {
	if l, err := Loader(path); err != nil || l != "openslideload" {
		return nil
	}
	im, err := open(path, "openslideload")
	if err != nil {
		return nil
	}
	defer C.g_object_unref(C.gpointer(im))
	s, _ := field(im, "slide-associated-images")
	return strings.Split(strings.ReplaceAll(s, " ", ""), ",")
}
