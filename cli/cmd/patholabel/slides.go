package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/patholabel/patholabel/cli/client"
	"github.com/patholabel/patholabel/cli/upload"
)

func (e *env) slidesUpload(args []string) error {
	fs := e.flags("slides upload")
	var o upload.Options
	fs.Int64Var(&o.Project, "project", 0, "project id")
	fs.StringVar(&o.CaseID, "case", "", "case (patient) id")
	fs.StringVar(&o.Stain, "stain", "", "stain, e.g. HE")
	fs.StringVar(&o.Name, "name", "", "slide name (default: the file name)")
	fs.IntVar(&o.Parallel, "parallel", 4, "parts sent at once")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	if o.Project <= 0 {
		return fmt.Errorf("%w: --project is required", errUsage)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	o.Log = func(s string) { fmt.Fprintln(e.stderr, s) }
	slide, err := upload.Send(e.ctx, c, pos[0], o)
	if err != nil {
		return err
	}
	return json.NewEncoder(e.stdout).Encode(slide)
}

func (e *env) annotationsExport(args []string) error {
	fs := e.flags("annotations export")
	slide := fs.Int64("slide", 0, "slide id")
	out := fs.String("o", "", "write to FILE (default: standard output)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *slide <= 0 {
		return fmt.Errorf("%w: --slide is required", errUsage)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	var w io.Writer = e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return c.ExportAnnotations(e.ctx, *slide, w)
}

func (e *env) annotationsImport(args []string) error {
	fs := e.flags("annotations import")
	slide := fs.Int64("slide", 0, "slide id")
	format := fs.String("format", "", "qupath, asap or patholabelling")
	category := fs.Int64("category", 0, "category of marks without a class")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	if *slide <= 0 || *format == "" {
		return fmt.Errorf("%w: --slide and --format are required", errUsage)
	}
	return e.sendFile(pos[0], func(c *client.Client, f io.Reader) (any, error) {
		return c.ImportAnnotations(e.ctx, *slide, *format, *category, f)
	})
}

func (e *env) suggestionsImport(args []string) error {
	fs := e.flags("suggestions import")
	slide := fs.Int64("slide", 0, "slide id")
	format := fs.String("format", "", "geojson or qupath")
	model := fs.String("model", "", "the model version, <name>@<version>")
	category := fs.Int64("category", 0, "category of QuPath features without a class")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	if *slide <= 0 || *format == "" || *model == "" {
		return fmt.Errorf("%w: --slide, --format and --model are required", errUsage)
	}
	return e.sendFile(pos[0], func(c *client.Client, f io.Reader) (any, error) {
		return c.ImportSuggestions(e.ctx, *slide, *format, *model, *category, f)
	})
}

// sendFile opens the file named on the command line, gives it to send and
// prints the service's answer as JSON.
func (e *env) sendFile(path string, send func(*client.Client, io.Reader) (any, error)) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := send(c, f)
	if err != nil {
		return err
	}
	return json.NewEncoder(e.stdout).Encode(res)
}
