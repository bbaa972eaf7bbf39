package objstore_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// A link signed for the public URL names the public host and is accepted
// by the store when a browser reaches it there, although the service talks
// to the store at another address (in a cluster: an in-cluster name).
func TestPresignerSignsForThePublicURL(t *testing.T) {
	cl, cfg := testenv.MustS3(t)
	ctx := context.Background()
	body := []byte("export file")
	if _, err := cl.PutObject(ctx, cfg.ExportsBucket, "e/annotations.json", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	host, port, ok := strings.Cut(cfg.Endpoint, ":")
	if !ok || host != "127.0.0.1" {
		t.Fatalf("test needs the store on 127.0.0.1:PORT, have %s", cfg.Endpoint)
	}
	cfg.PublicURL = "http://localhost:" + port
	signer, err := objstore.NewPresigner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u, err := signer.PresignedGetObject(ctx, cfg.ExportsBucket, "e/annotations.json", time.Minute, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != "localhost:"+port || u.Scheme != "http" {
		t.Fatalf("link %s is not for the public URL %s", u, cfg.PublicURL)
	}
	got := fetch(t, u.String())
	if !bytes.Equal(got, body) {
		t.Fatalf("public link served %q, want %q", got, body)
	}

	// Without a public URL the link names the endpoint, as before.
	cfg.PublicURL = ""
	signer, err = objstore.NewPresigner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u, err = signer.PresignedGetObject(ctx, cfg.ExportsBucket, "e/annotations.json", time.Minute, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != cfg.Endpoint {
		t.Fatalf("link %s is not for the endpoint %s", u, cfg.Endpoint)
	}
}

func fetch(t *testing.T, link string) []byte {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", link, resp.Status, b)
	}
	return b
}

func TestPublicURLMustBeSchemeAndHost(t *testing.T) {
	for _, bad := range []string{"localhost:9000", "ftp://s3.example.org", "https://s3.example.org/exports", "http://", "https://u:p@s3.example.org"} {
		r := config.NewReader(config.FromMap(map[string]string{"PATHOLABEL_S3_PUBLIC_URL": bad}))
		objstore.ReadConfig(r)
		if r.Err() == nil || !strings.Contains(r.Err().Error(), "PATHOLABEL_S3_PUBLIC_URL") {
			t.Errorf("PATHOLABEL_S3_PUBLIC_URL=%q: error %v, want one naming the variable", bad, r.Err())
		}
	}
	for _, good := range []string{"", "http://127.0.0.1:30080", "https://s3.hospital.example/"} {
		r := config.NewReader(config.FromMap(map[string]string{"PATHOLABEL_S3_PUBLIC_URL": good, "PATHOLABEL_DEV_MODE": "true"}))
		if c := objstore.ReadConfig(r); r.Err() != nil || c.PublicURL != good {
			t.Errorf("PATHOLABEL_S3_PUBLIC_URL=%q: %v", good, r.Err())
		}
	}
}
