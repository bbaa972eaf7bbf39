// Package libvips is what the tiler's and export's cgo bindings to libvips
// share: reading libvips' error buffer. It needs cgo and libvips' headers,
// as they do; only those two services import it.
package libvips

/*
#cgo pkg-config: vips
#include <vips/vips.h>
*/
import "C"

import (
	"errors"
	"strings"
)

// LastError takes libvips' per-thread error buffer and clears it,
// trimmed to its first line: the rest repeats it for every layer of the
// call.
func LastError() error {
	msg := strings.TrimSpace(C.GoString(C.vips_error_buffer()))
	C.vips_error_clear()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	if msg == "" {
		msg = "unknown libvips error"
	}
	return errors.New(msg)
}
