package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/tiler"
	"github.com/patholabel/patholabel/services/tiler/minio"
	"github.com/patholabel/patholabel/services/tiler/mysql"
)

// Importer queues slides that do not come through the browser: a local
// folder (the CLI) or a bucket prefix that hospital IT filled.
type Importer struct {
	Config      tiler.Config
	Store       *mysql.Store
	Objects     *minio.Store
	Redis       *goredis.Client // may be nil
	RedisPrefix string
}

// Imported is one queued slide.
type Imported struct {
	SlideID int64
	From    string
	Skipped bool // already imported earlier
}

// importKey is a source key derived from where a file came from, so
// importing the same files again finds them instead of duplicating them.
func importKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return "imports/" + hex.EncodeToString(h.Sum(nil))[:32] + "/source"
}

// Folder uploads every regular file under dir into project, streaming
// each file; it does not judge formats, the ingest job does.
func (im *Importer) Folder(ctx context.Context, dir string, project int64, each func(Imported)) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("stat %s: %w", path, err)
		}
		key := importKey("file", path, fmt.Sprint(info.Size()), info.ModTime().String())
		got, err := im.one(ctx, project, filepath.Base(path), key, func() (int64, string, error) {
			f, err := os.Open(path)
			if err != nil {
				return 0, "", fmt.Errorf("open %s: %w", path, err)
			}
			defer f.Close()
			return im.Objects.PutStream(ctx, key, f, im.Config.MaxUploadBytes)
		})
		if err != nil {
			return fmt.Errorf("import %s: %w", path, err)
		}
		got.From = path
		each(got)
		return nil
	})
}

// Prefix queues every object under bucket/prefix, copied server side.
func (im *Importer) Prefix(ctx context.Context, bucket, prefix string, project int64, each func(Imported)) error {
	objs, err := im.Objects.List(ctx, bucket, prefix)
	if err != nil {
		return err
	}
	for _, o := range objs {
		key := importKey("s3", bucket, o.Key, o.ETag)
		got, err := im.one(ctx, project, filepath.Base(o.Key), key, func() (int64, string, error) {
			return o.Size, "", im.Objects.CopyIn(ctx, bucket, o.Key, key)
		})
		if err != nil {
			return fmt.Errorf("import %s/%s: %w", bucket, o.Key, err)
		}
		got.From = bucket + "/" + o.Key
		each(got)
	}
	return nil
}

func (im *Importer) one(ctx context.Context, project int64, name, key string, store func() (int64, string, error)) (Imported, error) {
	if id, ok, err := im.Store.SlideBySource(ctx, project, key); err != nil || ok {
		return Imported{SlideID: id, Skipped: ok}, err
	}
	n, sum, err := store()
	if err != nil {
		return Imported{}, err
	}
	sl := &tiler.Slide{ProjectID: project, Name: name, SourceKey: key, Bytes: n, SHA256: sum,
		TileSize: im.Config.TileSize, TileOverlap: im.Config.Overlap, TileFormat: "jpeg"}
	if err := im.Store.CreateSlide(ctx, sl); err != nil {
		return Imported{}, err
	}
	if im.Redis != nil {
		if w := NewWaker(im.Redis, im.RedisPrefix); w != nil {
			_ = w.Wake(ctx, tiler.KindSlide, sl.ID, project, "") // a scan finds it anyway
		}
	}
	return Imported{SlideID: sl.ID}, nil
}
