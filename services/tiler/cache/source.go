package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/staging"
	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/vips"
)

// SourceFiles copies a source from the slides bucket to a local file
// (minio.Store).
type SourceFiles interface {
	FetchFile(ctx context.Context, key, path string) error
}

// Sources serves the tiles of slides whose pyramid is not built yet, read
// from their source file through libvips/OpenSlide, on the Deep Zoom grid
// the pyramid will have (same URLs, same tile sizes, same format), so the
// viewer does not notice when the pyramid takes over.
//
// Each replica keeps a local copy of the sources it serves in dir: the
// upload handler leaves the file it just received there (Keep), and any
// other replica fetches it from the bucket on the first tile. A copy is
// dropped when its slide is ready, or when more than max are open.
//
// Source tiles are kept only in this replica's memory cache, under keys of
// their own, and never in Redis: they are rendered by another code path
// than dzsave's and differ from the pyramid's tiles by a few grey levels,
// and Redis outlives the switch, so a tile cached there as the pyramid's
// would stay a source tile. Their ETag says "src", so a browser holding
// one revalidates to the pyramid's tile.
type Sources struct {
	folder    *staging.Dir // held (flock) while the process lives
	dir       string
	files     SourceFiles
	quality   int
	max       int
	maxPixels int64
	maxBytes  int64 // a larger source is not copied here (0: no bound)
	mu        sync.Mutex
	open      map[int64]*openSource
	flight    singleflight.Group
}

type openSource struct {
	src  *vips.Source
	path string
	used time.Time
}

// sourcesPrefix names the folders (one per process, flock-held) of
// local source copies in the temp folder.
const sourcesPrefix = "view-"

// NewSources keeps local copies in a folder of its own under base and
// renders JPEG tiles of the given quality, at most max sources open at
// once, of sources of at most maxPixels. Folders that dead processes left
// are removed first (their copies are fetched again if still needed).
//
// maxBytes bounds one local copy (Config.SourceCopyBytes; 0: no bound): a
// larger source is not fetched, as it would fill the replica's disk.
func NewSources(base string, files SourceFiles, quality, max int, maxPixels, maxBytes int64) (*Sources, error) {
	if _, err := staging.Sweep(base, sourcesPrefix); err != nil {
		return nil, fmt.Errorf("sweep source copies: %w", err)
	}
	d, err := staging.Make(base, sourcesPrefix)
	if err != nil {
		return nil, fmt.Errorf("source copies folder: %w", err)
	}
	return &Sources{folder: d, dir: d.Path, files: files, quality: quality, max: max, maxPixels: maxPixels, maxBytes: maxBytes, open: map[int64]*openSource{}}, nil
}

// Probe reads a received file's header (no pixels) and reports whether it
// can be served from source: a format read in part, within the pixel limit.
func (s *Sources) Probe(path string) (tiler.Metadata, bool) {
	m, err := vips.Probe(path)
	if err != nil || !tiler.ReadableInPart(m.Format) || m.Pixels() > s.maxPixels || m.Pixels() == 0 {
		return tiler.Metadata{}, false
	}
	return m, true
}

// Path is where slide id's local copy lives.
func (s *Sources) Path(id int64) string {
	return filepath.Join(s.dir, "slide-"+strconv.FormatInt(id, 10))
}

// Keep adopts a file holding slide id's source (the upload's own copy),
// moving it into place.
func (s *Sources) Keep(id int64, path string) error {
	if err := os.Rename(path, s.Path(id)); err != nil {
		return fmt.Errorf("keep source of slide %d: %w", id, err)
	}
	return nil
}

// TempPath is a fresh name in the cache folder for a file being received.
func (s *Sources) TempPath() (string, error) {
	f, err := os.CreateTemp(s.dir, "upload-*")
	if err != nil {
		return "", fmt.Errorf("source cache file: %w", err)
	}
	name := f.Name()
	return name, f.Close()
}

// Tile renders one Deep Zoom tile of sl from its source. Errors: not_found
// outside the grid; unavailable when the bucket cannot be read.
func (s *Sources) Tile(ctx context.Context, sl *tiler.Slide, level, col, row int) ([]byte, error) {
	r, ok := tiler.DeepZoomTile(sl.Width, sl.Height, sl.TileSize, sl.TileOverlap, level, col, row)
	if !ok {
		return nil, platform.Errorf(platform.ENOTFOUND, "no tile %d/%d_%d in slide %d", level, col, row, sl.ID)
	}
	src, err := s.source(ctx, sl)
	if err != nil {
		return nil, err
	}
	b, err := src.Region(uint(tiler.DeepZoomLevels(sl.Width, sl.Height)-1-level), r.Left, r.Top, r.Width, r.Height, s.quality)
	if err != nil {
		return nil, fmt.Errorf("tile %d/%d_%d of slide %d from its source: %w", level, col, row, sl.ID, err)
	}
	return b, nil
}

// source opens sl's source once per replica, fetching it first when this
// replica has no copy; concurrent first tiles share the work.
func (s *Sources) source(ctx context.Context, sl *tiler.Slide) (*vips.Source, error) {
	s.mu.Lock()
	if o, ok := s.open[sl.ID]; ok {
		o.used = time.Now()
		s.mu.Unlock()
		return o.src, nil
	}
	s.mu.Unlock()
	load := context.WithoutCancel(ctx) // shared by every tile waiting for it
	ch := s.flight.DoChan(strconv.FormatInt(sl.ID, 10), func() (any, error) {
		path := s.Path(sl.ID)
		if _, err := os.Stat(path); err != nil {
			if s.maxBytes > 0 && sl.Bytes > s.maxBytes {
				return nil, platform.Errorf(platform.EUNAVAILABLE, "slide %d: its source (%d bytes) is larger than a local copy may be (PATHOLABEL_TILER_SOURCE_COPY_BYTES=%d); its tiles come with its pyramid", sl.ID, sl.Bytes, s.maxBytes)
			}
			part := path + ".part"
			if err := s.files.FetchFile(load, sl.SourceKey, part); err != nil {
				_ = os.Remove(part)
				return nil, err
			}
			if err := os.Rename(part, path); err != nil {
				return nil, fmt.Errorf("keep source of slide %d: %w", sl.ID, err)
			}
		}
		src, err := vips.OpenSource(path, sl.Format)
		if err != nil {
			return nil, fmt.Errorf("open source of slide %d: %w", sl.ID, err)
		}
		s.add(sl.ID, &openSource{src: src, path: path, used: time.Now()})
		return src, nil
	})
	return await[*vips.Source](ctx, ch)
}

// add records an open source, closing the least recently used one past max.
func (s *Sources) add(id int64, o *openSource) {
	s.mu.Lock()
	s.open[id] = o
	var oldest int64
	if len(s.open) > s.max {
		for k, v := range s.open {
			if oldest == 0 || v.used.Before(s.open[oldest].used) {
				oldest = k
			}
		}
	}
	s.mu.Unlock()
	if oldest != 0 {
		s.Drop(oldest)
	}
}

// Drop closes slide id's source and removes the local copy: its pyramid
// took over (or it was the least used past the limit, and is fetched
// again if asked for).
func (s *Sources) Drop(id int64) {
	s.mu.Lock()
	o, ok := s.open[id]
	delete(s.open, id)
	s.mu.Unlock()
	if ok {
		o.src.Close()
	}
	_ = os.Remove(s.Path(id))
}
