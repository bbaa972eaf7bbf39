package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestResumableUpload sends a 17 MiB TIFF in three parts out of order,
// loses one to a dropped connection, resends it, and ends with a ready slide.
func TestResumableUpload(t *testing.T) {
	e := newEnv(t)
	u := seed(t, e.db)
	_, base := e.serve(t, nil)
	_, file, up := openRegionUpload(t, base, u)
	part := func(n int) []byte { return file[(n-1)*up.PartSize : min(n*up.PartSize, len(file))] }
	put := func(n int) int {
		resp, b := call(t, "PUT", fmt.Sprintf("%s/api/v1/uploads/%s/parts/%d", base, up.ID, n), u.member, bytes.NewReader(part(n)))
		if resp.StatusCode != 200 {
			t.Logf("part %d: %s", n, b)
		}
		return resp.StatusCode
	}
	if st := put(2); st != 200 {
		t.Fatalf("part 2 = %d", st)
	}
	dropped(t, fmt.Sprintf("%s/api/v1/uploads/%s/parts/1", base, up.ID), u.member, part(1))
	checkReceived(t, base, u.member, up.ID, []int{2}, int64(len(part(2))))
	if resp, b := call(t, "POST", base+"/api/v1/uploads/"+up.ID+"/complete", u.member, nil); resp.StatusCode != 409 {
		t.Fatalf("complete with parts missing = %d %s, want 409", resp.StatusCode, b)
	}
	if put(1) != 200 || put(3) != 200 {
		t.Fatal("resending parts failed")
	}
	checkReceived(t, base, u.member, up.ID, []int{1, 2, 3}, int64(len(file)))
	resp, b := call(t, "POST", base+"/api/v1/uploads/"+up.ID+"/complete", u.member, nil)
	var sl map[string]any
	json.Unmarshal(b, &sl)
	if resp.StatusCode != 202 || sl["status"] != "queued" {
		t.Fatalf("complete = %d %s, want 202 queued", resp.StatusCode, b)
	}
	id := int64(sl["id"].(float64))
	if resp, b := call(t, "POST", base+"/api/v1/uploads/"+up.ID+"/complete", u.member, nil); resp.StatusCode != 202 || !bytes.Contains(b, []byte(fmt.Sprintf(`"id":%d`, id))) {
		t.Fatalf("completing again = %d %s, want the same slide", resp.StatusCode, b)
	}
	got := waitFor(t, base, u.member, id, "ready", 60*time.Second)
	if got["status"] != "ready" || got["width"] != 2220.0 || got["height"] != 2000.0 || got["bytes"] != float64(len(file)) {
		t.Fatalf("slide = %v, want ready 2220×2000", got)
	}
	if resp, _ := call(t, "GET", base+"/api/v1/uploads/"+up.ID, u.outsider, nil); resp.StatusCode != 404 {
		t.Fatalf("upload status for a non-member = %d, want 404", resp.StatusCode)
	}
}

// openedUpload is the tiler's answer to opening an upload.
type openedUpload struct {
	ID       string `json:"id"`
	PartSize int    `json:"part_size"`
	Parts    int    `json:"parts"`
}

// openRegionUpload crops a 2220×2000 TIFF out of the test slide, 17 MiB
// that make three parts, and opens an upload of it (region.tif, case C9)
// in u's project; it returns the file's path and bytes and the upload.
func openRegionUpload(t *testing.T, base string, u users) (string, []byte, openedUpload) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "region.tif")
	if out, err := exec.Command("vips", "crop", testdata+"slides/CMU-1-Small-Region.svs", src, "0", "0", "2220", "2000").CombinedOutput(); err != nil {
		t.Fatalf("vips crop: %v %s", err, out)
	}
	file, _ := os.ReadFile(src)
	body, _ := json.Marshal(map[string]any{"project_id": u.project, "name": "region.tif", "size": len(file), "case_id": "C9"})
	resp, b := call(t, "POST", base+"/api/v1/uploads", u.member, bytes.NewReader(body), "Content-Type", "application/json")
	var up openedUpload
	if json.Unmarshal(b, &up) != nil || resp.StatusCode != 201 || up.Parts != 3 {
		t.Fatalf("open upload = %d %s, want 201 with 3 parts", resp.StatusCode, b)
	}
	return src, file, up
}

// dropped starts a part and cuts the connection half way through.
func dropped(t *testing.T, url, token string, data []byte) {
	t.Helper()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("PUT", url, pr)
	req.ContentLength = int64(len(data))
	req.AddCookie(&http.Cookie{Name: "patholabel_session", Value: token})
	req.Header.Set("X-CSRF-Token", csrfToken)
	go func() {
		pw.Write(data[:len(data)/2])
		pw.CloseWithError(fmt.Errorf("connection dropped"))
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("a half-sent part was accepted")
		}
	}
}

func checkReceived(t *testing.T, base, token, id string, want []int, bytes int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, b := call(t, "GET", base+"/api/v1/uploads/"+id, token, nil)
		var st struct {
			Received []struct{ Number int } `json:"received_parts"`
			Bytes    int64                  `json:"received_bytes"`
		}
		json.Unmarshal(b, &st)
		var got []int
		for _, p := range st.Received {
			got = append(got, p.Number)
		}
		if fmt.Sprint(got) == fmt.Sprint(want) && st.Bytes == bytes {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("received parts %v (%d bytes), want %v (%d bytes)", got, st.Bytes, want, bytes)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
