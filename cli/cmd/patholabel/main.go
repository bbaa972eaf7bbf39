// Command patholabel is Patholabel's command-line tool for ML teams and
// scripts: pull and verify exports, create them, upload slides, import
// and export marks, all with a personal access token.
//
// Its help text (patholabel help) is the reference.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/patholabel/patholabel/cli/client"
)

const usage = `patholabel: Patholabel's command-line tool (version %s)

Usage:
  patholabel exports list     --project ID [--limit N] [--json]
  patholabel exports create   --project ID --formats F,F,... [--name NAME] [--pin] [--hard-negatives] [--request FILE|-] [--wait]
  patholabel exports wait     ID [--timeout 1h]
  patholabel exports pull     ID DIR [--parallel 8]
  patholabel exports verify   DIR [--parallel 8]
  patholabel exports pin|unpin ID
  patholabel slides upload    --project ID [--case CASE] [--stain STAIN] [--name NAME] [--parallel 4] FILE
  patholabel annotations export --slide ID [-o FILE]
  patholabel annotations import --slide ID --format qupath|asap|patholabelling [--category ID] FILE
  patholabel suggestions import --slide ID --format geojson|qupath --model NAME@VERSION [--category ID] FILE
  patholabel version

Every command but verify and version talks to the server:
  PATHOLABEL_URL     the server, e.g. https://patholabel.example (or --url)
  PATHOLABEL_TOKEN   a personal access token (or --token-file FILE): create one in the viewer
                     (your name → Access tokens) or with POST /api/v1/tokens; read-only tokens
                     can list, wait for and pull exports

exports list      the project's exports, newest first: id, status, name, pinned, files, bytes.
exports create    queue an export. --formats lists geojson, csv, coco, patches, pathofusion, masks,
                  webdataset; --request gives the whole request body as JSON (the API's Params:
                  patch_sizes, target_mpp, splits, …), the other flags override its fields.
                  --hard-negatives adds the model suggestions people rejected, in classes
                  hard_negative:<category>. Prints the export's id; --wait waits for it as exports
                  wait does.
exports wait      poll until the export finishes; exit 0 when done, 1 when it failed or was
                  cancelled or expired, 2 on a usage error.
exports pull      download every file into DIR, PARALLEL at a time: manifest.json first, then each
                  file it lists, each checked by size and SHA-256 against the manifest before it
                  takes its name. Run it again after an interruption: complete files are kept,
                  partial ones resumed (HTTP Range), expired links asked for again. Exit 1 when
                  any file fails.
exports verify    check DIR against its manifest.json (size and SHA-256 of every file), e.g. after
                  aws s3 sync; lists every missing or different file and exits 1 if there is one.
exports pin       keep the export whatever the retention (PATHOLABEL_EXPORT_RETENTION); unpin
                  lets retention remove it.
slides upload     resumable upload (parts of the server's part size, PARALLEL at a time). An
                  interrupted upload resumes when run again on the same unchanged file (state in
                  FILE.patholabel-upload); prints the slide queued for ingest as JSON.
annotations export  the slide's marks as GeoJSON (level-0 pixels), to FILE or standard output.
annotations import  marks from a QuPath GeoJSON, ASAP XML or Patholabelling file; prints what was
                  imported and what was skipped, and why.
suggestions import  a model's predictions as suggestions for people to accept or reject (a token of
                  a manager or of the project role model): GeoJSON as POST /api/v1/annotations/
                  suggestions takes its features (properties.scores {"<category id>": probability}),
                  or QuPath's GeoJSON export (classification.name names the category, --category
                  for unclassified objects; "Probability" measurements give the scores, else 1).
                  All or nothing: a bad feature fails the file, named by index and line, and
                  nothing is stored. Prints the new suggestions' ids as JSON.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// errUsage is a command line that cannot run: exit 2.
var errUsage = errors.New("usage")

// failed is a command that ran and found a problem (a failed export, a
// file that does not match): exit 1, its message already printed.
var errFailed = errors.New("failed")

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	err := dispatch(ctx, args, stdout, stderr, getenv)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "patholabel: %v\nRun patholabel help for the commands.\n", err)
		return 2
	case errors.Is(err, errFailed):
		return 1
	default:
		fmt.Fprintf(stderr, "patholabel: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, usage, versionOf())
		return nil
	}
	cmd := args[0]
	if cmd == "version" {
		fmt.Fprintln(stdout, versionOf())
		return nil
	}
	if len(args) < 2 {
		return fmt.Errorf("%w: %s needs a subcommand", errUsage, cmd)
	}
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, getenv: getenv}
	name := cmd + " " + args[1]
	handlers := map[string]func([]string) error{
		"exports list": e.exportsList, "exports create": e.exportsCreate, "exports wait": e.exportsWait,
		"exports pull": e.exportsPull, "exports verify": e.exportsVerify,
		"exports pin": e.exportsPin(true), "exports unpin": e.exportsPin(false),
		"slides upload":      e.slidesUpload,
		"annotations export": e.annotationsExport, "annotations import": e.annotationsImport,
		"suggestions import": e.suggestionsImport,
	}
	h, ok := handlers[name]
	if !ok {
		return fmt.Errorf("%w: unknown command %q", errUsage, name)
	}
	return h(args[2:])
}

// env is one invocation's surroundings.
type env struct {
	ctx            context.Context
	stdout, stderr io.Writer
	getenv         func(string) string
	url, tokenFile string
}

// flags starts a command's flag set with the connection flags.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("patholabel "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.url, "url", e.getenv("PATHOLABEL_URL"), "server URL (PATHOLABEL_URL)")
	fs.StringVar(&e.tokenFile, "token-file", "", "file holding the access token (default: PATHOLABEL_TOKEN)")
	return fs
}

// parse parses flags interleaved with positional arguments and checks
// their number.
func parse(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) != positional {
		return nil, fmt.Errorf("%w: %s takes %d argument(s), got %d", errUsage, fs.Name(), positional, len(pos))
	}
	return pos, nil
}

// client connects with the URL and token of the flags or environment.
func (e *env) client() (*client.Client, error) {
	if e.url == "" {
		return nil, fmt.Errorf("%w: set PATHOLABEL_URL or --url", errUsage)
	}
	token := e.getenv("PATHOLABEL_TOKEN")
	if e.tokenFile != "" {
		b, err := os.ReadFile(e.tokenFile)
		if err != nil {
			return nil, err
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return nil, fmt.Errorf("%w: set PATHOLABEL_TOKEN or --token-file (a personal access token)", errUsage)
	}
	return client.New(e.url, token), nil
}
