package vips

/*
#include "pl.h"
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"github.com/patholabel/patholabel/services/platform/libvips"
)

// Pyramid is how DZSave tiles. Width and Height, when set, stretch the
// source to that size first (overlays onto their slide). Format is "jpeg"
// (the default) or "png".
type Pyramid struct {
	TileSize, Overlap, Quality int
	Width, Height              int64
	Format                     string
}

func (p Pyramid) suffix() string {
	if p.Format == "png" {
		return ".png[strip]"
	}
	return fmt.Sprintf(".jpeg[Q=%d,strip]", p.Quality)
}

// DZSave writes src's Deep Zoom pyramid as a zip (entries stored, not
// compressed, so a tile is a byte range) at dst. progress gets 0–100 about
// once a second; cancelling ctx stops libvips at its next tile.
func DZSave(ctx context.Context, src, dst string, p Pyramid, progress func(int)) error {
	loader, err := Loader(src)
	if err != nil {
		return err
	}
	return run(ctx, progress, func(state *C.pl_progress) error { return dzsave(src, loader, dst, p, state) })
}

// run calls libvips in a goroutine with a progress block it polls once a
// second, and stops libvips when ctx ends.
func run(ctx context.Context, progress func(int), call func(*C.pl_progress) error) error {
	state := (*C.pl_progress)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pl_progress{}))))
	defer C.free(unsafe.Pointer(state))
	done := make(chan error, 1)
	go func() { done <- call(state) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			state.kill = 1
			<-done // libvips must let go of state before it is freed
			return fmt.Errorf("dzsave stopped: %w", ctx.Err())
		case <-tick.C:
			progress(int(state.percent))
		}
	}
}

func dzsave(src, loader, dst string, p Pyramid, state *C.pl_progress) error {
	// libvips keeps its error buffer per thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	csrc, cdst, cloader := C.CString(src), C.CString(dst), C.CString(loader)
	suffix := C.CString(p.suffix())
	defer C.free(unsafe.Pointer(csrc))
	defer C.free(unsafe.Pointer(cloader))
	defer C.free(unsafe.Pointer(cdst))
	defer C.free(unsafe.Pointer(suffix))
	var r C.int
	if p.Width > 0 && p.Height > 0 {
		r = C.pl_dzsave_scaled(csrc, cloader, cdst, C.int(p.Width), C.int(p.Height), C.int(p.TileSize), C.int(p.Overlap), suffix, state)
	} else {
		r = C.pl_dzsave(csrc, cloader, cdst, C.int(p.TileSize), C.int(p.Overlap), suffix, state)
	}
	if r != 0 {
		return fmt.Errorf("build pyramid: %w", libvips.LastError())
	}
	return nil
}
