package worker

import (
	"context"
	"sort"

	"github.com/patholabel/patholabel/services/export"
	"github.com/patholabel/patholabel/services/export/minio"
	"github.com/patholabel/patholabel/services/platform"
)

// builder holds one attempt's state: the snapshot it builds from and the
// files and errors it has recorded so far.
type builder struct {
	p      *Pool
	job    *export.Job
	snap   *export.Snapshot
	hash   string
	sink   *minio.Sink
	cats   map[int64]*export.Category
	files  []export.File
	errs   map[int64]export.SlideError
	counts export.Counts
	// patchClasses holds by ImageFolder root the categories with patch
	// files there, for the ImageFolder indices of classes.json.
	patchClasses map[string]map[int64]bool
	// splits is each slide's split (export.SplitOf); nil without splits.
	splits   map[int64]string
	progress func(int)
}

// Build writes a job's export and marks it done: snapshot, every format,
// the dataset card, removal of leftovers, and last the manifest.
func (p *Pool) Build(ctx context.Context, job *export.Job, progress func(int)) error {
	snap, canonical, err := p.snapshot(ctx, job)
	if err != nil {
		return err
	}
	b := &builder{p: p, job: job, snap: snap, hash: export.Hash(canonical), progress: progress,
		sink: p.objects.Sink(export.Prefix(job.ProjectID, job.ID)), errs: map[int64]export.SlideError{},
		counts: export.NewCounts(snap), cats: map[int64]*export.Category{}, patchClasses: map[string]map[int64]bool{}}
	if job.Params.Splits != nil {
		b.splits = export.SplitOf(snap, job.Params.Splits)
	}
	for i := range snap.Categories {
		b.cats[snap.Categories[i].ID] = &snap.Categories[i]
	}
	// An earlier attempt may have died between writing the manifest and
	// recording the job done: until this attempt finishes, nothing may
	// look complete.
	if err := b.sink.Remove(ctx, export.ManifestPath); err != nil {
		return err
	}
	if err := b.put(ctx, "snapshot.json", canonical); err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{b.texts, b.images, b.masks} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return b.finish(ctx)
}

// snapshot loads the job's stored snapshot, or takes and stores it on the
// first attempt.
func (p *Pool) snapshot(ctx context.Context, job *export.Job) (*export.Snapshot, []byte, error) {
	if job.Snapshot != nil {
		return export.DecodeSnapshot(job.Snapshot)
	}
	snap, err := p.store.Snapshot(ctx, job.Params)
	if err != nil {
		return nil, nil, err
	}
	canonical := snap.Canonical()
	gz := export.Compress(canonical)
	if err := p.store.SaveSnapshot(ctx, job, gz, export.Hash(canonical), len(snap.Marks)); err != nil {
		return nil, nil, err
	}
	job.Snapshot = gz
	return export.DecodeSnapshot(gz) // the stored form, so every attempt builds from identical data
}

func (b *builder) put(ctx context.Context, path string, data []byte) error {
	f, err := b.sink.Put(ctx, path, data)
	if err != nil {
		return err
	}
	b.files = append(b.files, f)
	return nil
}

func (b *builder) putFile(ctx context.Context, path, local string) error {
	f, err := b.sink.PutFile(ctx, path, local)
	if err != nil {
		return err
	}
	b.files = append(b.files, f)
	return nil
}

// texts writes the formats built from coordinates alone.
func (b *builder) texts(ctx context.Context) error {
	par := &b.job.Params
	if par.Has(export.FormatGeoJSON) {
		docs := export.GeoJSON(b.snap)
		paths := make([]string, 0, len(docs))
		for p := range docs {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			if err := b.put(ctx, p, docs[p]); err != nil {
				return err
			}
		}
	}
	if par.Has(export.FormatCSV) {
		if err := b.put(ctx, export.CSVPath, export.CSV(b.snap)); err != nil {
			return err
		}
	}
	if par.Has(export.FormatCOCO) {
		return b.put(ctx, export.COCOPath, export.COCO(b.snap, b.p.cfg.Software))
	}
	return nil
}

// slideError records that a slide could not be used; the rest goes on.
func (b *builder) slideError(sl *export.Slide, err error) {
	if _, ok := b.errs[sl.ID]; !ok {
		b.errs[sl.ID] = export.SlideError{SlideID: sl.ID, Slide: sl.Name, Error: platform.ErrorMessage(err)}
		if platform.ErrorCode(err) == platform.EINTERNAL {
			b.errs[sl.ID] = export.SlideError{SlideID: sl.ID, Slide: sl.Name, Error: err.Error()}
		}
	}
}

// masks writes one label mask per slide that has marks.
func (b *builder) masks(ctx context.Context) error {
	if !b.job.Params.Has(export.FormatMasks) {
		return nil
	}
	for i := range b.snap.Slides {
		sl := &b.snap.Slides[i]
		marks := b.snap.MarksOf(sl.ID)
		if len(marks) == 0 {
			continue
		}
		png, err := export.Mask(sl, marks, b.cats, b.job.Params.MaskDownsample)
		if err != nil {
			b.slideError(sl, err)
			continue
		}
		if err := b.put(ctx, "masks/"+export.SlideStem(sl)+".png", png); err != nil {
			return err
		}
		coloured, err := export.PaletteMask(sl, marks, b.cats, b.job.Params.MaskDownsample, b.snap)
		if err != nil {
			return err
		}
		if coloured != nil {
			if err := b.put(ctx, export.PaletteMaskPath(sl), coloured); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish fails a strict export with unreadable slides, then writes the
// dataset card, removes leftovers of earlier attempts, writes the manifest
// and marks the job done.
func (b *builder) finish(ctx context.Context) error {
	m := &export.Manifest{ExportID: b.job.ID, ProjectID: b.job.ProjectID, Software: b.p.cfg.Software,
		Params: b.job.Params, SnapshotSHA256: b.hash, Counts: b.counts, CreatedAt: b.job.CreatedAt,
		Resolution: export.Resolutions(b.snap, &b.job.Params)}
	for _, e := range b.errs {
		m.Errors = append(m.Errors, e)
	}
	sort.Slice(m.Errors, func(i, j int) bool { return m.Errors[i].SlideID < m.Errors[j].SlideID })
	if len(m.Errors) > 0 && b.job.Params.Strict {
		return platform.Errorf(platform.EINVALID, "strict export: slide %q: %s", m.Errors[0].Slide, m.Errors[0].Error)
	}
	if b.splits != nil {
		if err := b.put(ctx, export.SplitsPath, export.SplitsJSON(b.snap, b.job.Params.Splits, b.splits)); err != nil {
			return err
		}
	}
	classes := export.Classes(b.snap, &b.job.Params, export.ClassFolders(b.snap), b.patchClasses)
	if err := b.put(ctx, export.ClassesPath, classes); err != nil {
		return err
	}
	m.Files = b.files
	if err := b.put(ctx, export.ReadmePath, export.Readme(m, b.snap)); err != nil {
		return err
	}
	m.Files = b.files
	keep := map[string]bool{export.ManifestPath: true}
	for _, f := range b.files {
		keep[f.Path] = true
	}
	if err := b.sink.Prune(ctx, keep); err != nil {
		return err
	}
	m.FinishedAt = b.p.now()
	body := m.Encode()
	if _, err := b.sink.Put(ctx, export.ManifestPath, body); err != nil {
		return err
	}
	return b.p.store.Finish(ctx, b.job, m, body)
}

// stagingPrefix names the folders an export stages slides in; the next
// start clears those a killed worker left (staging.Sweep).
const stagingPrefix = "export-"
