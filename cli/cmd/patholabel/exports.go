package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/patholabel/patholabel/cli/client"
	"github.com/patholabel/patholabel/cli/pull"
)

func (e *env) exportsList(args []string) error {
	fs := e.flags("exports list")
	project := fs.Int64("project", 0, "project id")
	limit := fs.Int("limit", 50, "at most this many, newest first (1–500)")
	asJSON := fs.Bool("json", false, "print the API's JSON")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *project <= 0 {
		return fmt.Errorf("%w: --project is required", errUsage)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	list, err := c.Exports(e.ctx, *project, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tNAME\tPINNED\tFILES\tBYTES\tCREATED")
	for _, x := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%d\t%d\t%s\n", x.ID, x.Status, x.Name, x.Pinned, x.Files, x.Bytes,
			x.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

func (e *env) exportsCreate(args []string) error {
	fs := e.flags("exports create")
	project := fs.Int64("project", 0, "project id")
	formats := fs.String("formats", "", "comma-separated formats")
	name := fs.String("name", "", "the dataset's name")
	request := fs.String("request", "", "JSON request body from FILE (- for standard input)")
	pin := fs.Bool("pin", false, "pin the export (retention never removes it)")
	negatives := fs.Bool("hard-negatives", false, "add rejected model suggestions in classes hard_negative:<category>")
	wait := fs.Bool("wait", false, "wait until it finishes")
	timeout := fs.Duration("timeout", 6*time.Hour, "with --wait: give up after this long")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	body := map[string]any{}
	if *request != "" {
		var r io.Reader = os.Stdin
		if *request != "-" {
			f, err := os.Open(*request)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		if err := json.NewDecoder(r).Decode(&body); err != nil {
			return fmt.Errorf("%w: request %s: %v", errUsage, *request, err)
		}
	}
	if *project > 0 {
		body["project_id"] = *project
	}
	if *formats != "" {
		body["formats"] = strings.Split(*formats, ",")
	}
	if *name != "" {
		body["name"] = *name
	}
	if *negatives {
		body["hard_negatives"] = true
	}
	if body["project_id"] == nil || body["formats"] == nil {
		return fmt.Errorf("%w: --project and --formats (or a --request with them) are required", errUsage)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(body)
	x, err := c.CreateExport(e.ctx, raw)
	if err != nil {
		return err
	}
	if *pin {
		if x, err = c.Pin(e.ctx, x.ID, true); err != nil {
			return err
		}
	}
	fmt.Fprintln(e.stdout, x.ID)
	if !*wait {
		return nil
	}
	return e.wait(c, x.ID, *timeout)
}

func (e *env) exportsWait(args []string) error {
	fs := e.flags("exports wait")
	timeout := fs.Duration("timeout", 6*time.Hour, "give up after this long")
	id, _, c, err := e.exportArgs(fs, args, 1)
	if err != nil {
		return err
	}
	return e.wait(c, id, *timeout)
}

// wait polls until the export finishes; a failed, cancelled or expired
// export is a failure.
func (e *env) wait(c *client.Client, id int64, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(e.ctx, timeout)
	defer cancel()
	last := -1
	x, err := c.Wait(ctx, id, 2*time.Second, func(x *client.Export) {
		if x.Progress != last {
			fmt.Fprintf(e.stderr, "export %d: %s %d%%\n", x.ID, x.Status, x.Progress)
			last = x.Progress
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "export %d %s: %d files, %d bytes\n", x.ID, x.Status, x.Files, x.Bytes)
	if x.Status != "done" {
		fmt.Fprintf(e.stderr, "patholabel: export %d is %s: %s\n", x.ID, x.Status, x.Error)
		return errFailed
	}
	return nil
}

func (e *env) exportsPull(args []string) error {
	fs := e.flags("exports pull")
	parallel := fs.Int("parallel", 8, "downloads at once")
	quiet := fs.Bool("quiet", false, "no line per file")
	id, pos, c, err := e.exportArgs(fs, args, 2)
	if err != nil {
		return err
	}
	log := func(s string) { fmt.Fprintln(e.stderr, s) }
	if *quiet {
		log = nil
	}
	sum, err := pull.Pull(e.ctx, c, id, pos[1], *parallel, log)
	fmt.Fprintf(e.stdout, "export %d: %d files, %d fetched, %d resumed, %d already there (%d bytes downloaded)\n",
		id, sum.Files, sum.Fetched, sum.Resumed, sum.Kept, sum.Bytes)
	return err
}

func (e *env) exportsVerify(args []string) error {
	fs := e.flags("exports verify")
	parallel := fs.Int("parallel", 8, "files hashed at once")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	m, problems, err := pull.Verify(e.ctx, pos[0], *parallel)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(e.stdout, "%s: %s\n", p.Path, p.Reason)
	}
	if len(problems) > 0 {
		fmt.Fprintf(e.stderr, "patholabel: %d of %d files do not match the manifest\n", len(problems), len(m.Files))
		return errFailed
	}
	fmt.Fprintf(e.stdout, "export %d: all %d files match the manifest\n", m.ExportID, len(m.Files))
	return nil
}

func (e *env) exportsPin(pinned bool) func([]string) error {
	return func(args []string) error {
		fs := e.flags(map[bool]string{true: "exports pin", false: "exports unpin"}[pinned])
		id, _, c, err := e.exportArgs(fs, args, 1)
		if err != nil {
			return err
		}
		x, err := c.Pin(e.ctx, id, pinned)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "export %d pinned: %v\n", x.ID, x.Pinned)
		return nil
	}
}

// exportArgs parses the command line of a command whose first of n
// positional arguments is an export id, and opens the client it talks
// to; it returns the id and every positional argument.
func (e *env) exportArgs(fs *flag.FlagSet, args []string, n int) (int64, []string, *client.Client, error) {
	pos, err := parse(fs, args, n)
	if err != nil {
		return 0, nil, nil, err
	}
	id, err := exportID(pos[0])
	if err != nil {
		return 0, nil, nil, err
	}
	c, err := e.client()
	if err != nil {
		return 0, nil, nil, err
	}
	return id, pos, c, nil
}

func exportID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %q is not an export id", errUsage, s)
	}
	return id, nil
}
