package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
	"github.com/patholabel/patholabel/services/tiler/minio"
	"github.com/patholabel/patholabel/services/tiler/mysql"
	"github.com/patholabel/patholabel/services/tiler/worker"
)

// ingestCommand queues every file of a local folder: `tiler ingest DIR --project N`.
var ingestCommand = app.Command{Name: "ingest", Run: func(ctx context.Context, r *config.Reader, base app.Base, log *slog.Logger, args []string) error {
	dir, project, err := importArgs("ingest", args)
	if err != nil {
		return err
	}
	return withImporter(ctx, r, base, func(im *worker.Importer) error {
		return im.Folder(ctx, dir, project, report(log))
	})
}}

// importCommand queues every object under a bucket prefix, copied server
// side: `tiler import BUCKET/PREFIX --project N`.
var importCommand = app.Command{Name: "import", Run: func(ctx context.Context, r *config.Reader, base app.Base, log *slog.Logger, args []string) error {
	target, project, err := importArgs("import", args)
	if err != nil {
		return err
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(target, "s3://"), "/")
	return withImporter(ctx, r, base, func(im *worker.Importer) error {
		return im.Prefix(ctx, bucket, prefix, project, report(log))
	})
}}

// importArgs reads "TARGET --project N" in either order.
func importArgs(name string, args []string) (string, int64, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	project := fs.Int64("project", 0, "project id")
	var rest []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return "", 0, fmt.Errorf("%w (usage: tiler %s <target> --project N)", err, name)
		}
		if args = fs.Args(); len(args) > 0 {
			rest, args = append(rest, args[0]), args[1:]
		}
	}
	if len(rest) != 1 || *project <= 0 {
		return "", 0, fmt.Errorf("usage: tiler %s <target> --project N", name)
	}
	return rest[0], *project, nil
}

func withImporter(ctx context.Context, r *config.Reader, base app.Base, fn func(*worker.Importer) error) error {
	rc, s3, cfg := redis.ReadConfig(r), objstore.ReadConfig(r), readConfig(r)
	if err := r.Err(); err != nil {
		return err
	}
	res, err := app.Open(base.MySQL, &rc, &s3)
	if err != nil {
		return err
	}
	defer res.Close()
	if err := objstore.EnsureBucket(ctx, res.S3, s3.SlidesBucket, s3.Region); err != nil && s3.CreateBuckets {
		return err
	}
	return fn(&worker.Importer{Config: cfg, Store: mysql.New(res.DB, time.Now), Objects: minio.New(res.S3, s3.SlidesBucket, s3.ReadTimeout),
		Redis: res.Redis, RedisPrefix: rc.Prefix})
}

func report(log *slog.Logger) func(worker.Imported) {
	return func(im worker.Imported) {
		if im.Skipped {
			log.Info("already imported", "slide", im.SlideID, "from", im.From)
			return
		}
		log.Info("slide queued", "slide", im.SlideID, "from", im.From)
	}
}
